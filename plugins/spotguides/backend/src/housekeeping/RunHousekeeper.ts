import type { LoggerService } from '@backstage/backend-plugin-api';
import type { CustomObjectsApi } from '@kubernetes/client-node';
import {
  kubernetesStatusOf,
  mapWithConcurrency,
} from '@pipeline-portal/backend-kit';

/** Label every engine-made PipelineRun carries. */
export const MANAGED_SELECTOR = 'app.kubernetes.io/managed-by=pipeline-portal';
const PIPELINE_LABEL = 'pipeline-portal.io/pipeline';
const COMPONENT_LABEL = 'backstage.io/kubernetes-id';
const TEKTON = { group: 'tekton.dev', version: 'v1', plural: 'pipelineruns' };
const PAGE_SIZE = 500;

/** One team namespace on one runtime cluster. */
export interface HousekeepingTarget {
  cluster: string;
  namespace: string;
}

/** A PipelineRun housekeeping deleted. */
export interface DeletedRun extends HousekeepingTarget {
  name: string;
  pipeline: string;
  why: 'age' | 'count';
}

export interface HousekeepingResult {
  deleted: DeletedRun[];
  /** Namespaces that could not be listed or cleaned, with why. */
  failed: Array<HousekeepingTarget & { error: string }>;
}

export interface RunHousekeeperOptions {
  /** The Tekton-capable client of a runtime cluster. */
  customObjects: (cluster: string) => Promise<CustomObjectsApi>;
  logger: LoggerService;
  /** Finished runs older than this are deleted. Default 7 days. */
  maxAgeMs?: number;
  /** Runs kept per component and pipeline, newest first. Default 20. */
  keepPerPipeline?: number;
  /** Namespaces cleaned at once. Default 4. */
  concurrency?: number;
  /** Told of each deleted run (to forget it in the runs table). */
  onDeleted?: (run: DeletedRun) => Promise<void>;
  now?: () => number;
}

type PipelineRun = {
  metadata?: {
    name?: string;
    creationTimestamp?: string;
    labels?: Record<string, string>;
  };
  status?: {
    startTime?: string;
    completionTime?: string;
    conditions?: Array<{ type?: string; status?: string }>;
  };
};

const DAY_MS = 24 * 60 * 60 * 1000;

const finished = (run: PipelineRun) =>
  run.status?.conditions?.some(
    c =>
      c.type === 'Succeeded' && (c.status === 'True' || c.status === 'False'),
  ) ?? false;

const time = (iso?: string) => {
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(t) ? 0 : t;
};

/**
 * Deletes the portal's PipelineRuns that are done and either older than the
 * configured age or beyond the newest N of their component's pipeline. Runs
 * still going are never deleted (they count among the newest N). Only runs
 * labelled as the portal's are touched, so hand-made runs in the namespace
 * stay.
 */
export class RunHousekeeper {
  readonly maxAgeMs: number;
  readonly keepPerPipeline: number;

  constructor(private readonly options: RunHousekeeperOptions) {
    this.maxAgeMs = options.maxAgeMs ?? 7 * DAY_MS;
    this.keepPerPipeline = options.keepPerPipeline ?? 20;
  }

  /** One pass over the namespaces; a failing namespace does not stop the others. */
  async run(targets: HousekeepingTarget[]): Promise<HousekeepingResult> {
    const result: HousekeepingResult = { deleted: [], failed: [] };
    await mapWithConcurrency(
      dedupe(targets),
      this.options.concurrency ?? 4,
      async target => {
        try {
          result.deleted.push(...(await this.clean(target)));
        } catch (error) {
          const message =
            error instanceof Error ? error.message : String(error);
          result.failed.push({ ...target, error: message });
          this.options.logger.warn(
            `housekeeping of PipelineRuns in ${target.namespace} on ${target.cluster} failed: ${message}`,
          );
        }
      },
    );
    if (result.deleted.length) {
      this.options.logger.info(
        `housekeeping deleted ${result.deleted.length} PipelineRuns`,
      );
    }
    return result;
  }

  private async clean(target: HousekeepingTarget): Promise<DeletedRun[]> {
    const api = await this.options.customObjects(target.cluster);
    const runs = await listManaged(api, target.namespace);
    const doomed = this.select(target, runs);
    const deleted: DeletedRun[] = [];
    // One namespace's deletes go one after another: no burst on the API server.
    for (const run of doomed) {
      if (await deleteRun(api, run)) {
        deleted.push(run);
        await this.options.onDeleted?.(run);
      }
    }
    return deleted;
  }

  /** The runs to delete, by age first, then by count per component and pipeline. */
  select(target: HousekeepingTarget, runs: PipelineRun[]): DeletedRun[] {
    const cutoff = (this.options.now?.() ?? Date.now()) - this.maxAgeMs;
    const groups = new Map<string, PipelineRun[]>();
    for (const run of runs) {
      const labels = run.metadata?.labels ?? {};
      const key = `${labels[COMPONENT_LABEL] ?? ''}\n${
        labels[PIPELINE_LABEL] ?? ''
      }`;
      groups.set(key, [...(groups.get(key) ?? []), run]);
    }
    const out: DeletedRun[] = [];
    for (const group of groups.values()) {
      // Newest first; creation times have whole seconds, start times break ties.
      group.sort(
        (a, b) =>
          time(b.metadata?.creationTimestamp) -
            time(a.metadata?.creationTimestamp) ||
          time(b.status?.startTime) - time(a.status?.startTime) ||
          (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''),
      );
      group.forEach((run, index) => {
        if (!finished(run)) return;
        const ended = time(
          run.status?.completionTime ?? run.metadata?.creationTimestamp,
        );
        let why: DeletedRun['why'] | undefined;
        if (ended < cutoff) why = 'age';
        else if (index >= this.keepPerPipeline) why = 'count';
        if (!why) return;
        out.push({
          ...target,
          name: run.metadata?.name ?? '',
          pipeline: run.metadata?.labels?.[PIPELINE_LABEL] ?? '',
          why,
        });
      });
    }
    return out;
  }
}

function dedupe(targets: HousekeepingTarget[]): HousekeepingTarget[] {
  const seen = new Map<string, HousekeepingTarget>();
  for (const t of targets) seen.set(`${t.cluster}\n${t.namespace}`, t);
  return [...seen.values()];
}

async function listManaged(
  api: CustomObjectsApi,
  namespace: string,
): Promise<PipelineRun[]> {
  const items: PipelineRun[] = [];
  let next: string | undefined;
  do {
    const page = (await api.listNamespacedCustomObject({
      ...TEKTON,
      namespace,
      labelSelector: MANAGED_SELECTOR,
      limit: PAGE_SIZE,
      _continue: next,
    })) as { items?: PipelineRun[]; metadata?: { continue?: string } };
    items.push(...(page.items ?? []));
    next = page.metadata?.continue || undefined;
  } while (next);
  return items;
}

/** Deletes one run and what it owns; false when it was gone already. */
async function deleteRun(
  api: CustomObjectsApi,
  run: DeletedRun,
): Promise<boolean> {
  try {
    await api.deleteNamespacedCustomObject({
      ...TEKTON,
      namespace: run.namespace,
      name: run.name,
      propagationPolicy: 'Background',
    });
    return true;
  } catch (error) {
    if (kubernetesStatusOf(error) === 404) return false;
    throw error;
  }
}
