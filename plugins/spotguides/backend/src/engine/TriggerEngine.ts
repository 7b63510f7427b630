import type { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import type { ScmIntegrationRegistry } from '@backstage/integration';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  checkRunSafety,
  withPipelineServiceAccount,
} from '@pipeline-portal/plugin-spotguides-common';
import type {
  PipelineExplanation,
  PipelineFile,
  RunContext,
  RunRef,
  RunSafetyOptions,
  TriggerEvent,
} from '@pipeline-portal/plugin-spotguides-common';
import { mapWithConcurrency } from '@pipeline-portal/backend-kit';
import { GitHubClients } from '../github/octokit';
import { hasWriteAccess } from '../github/repoApi';
import { TektonReader } from '../github/TektonReader';
import { RunTarget } from '../runtime/RuntimeClusters';
import {
  BindingStore,
  ClaimedDelivery,
  DeliveryStore,
  NewRunRecord,
  Outcome,
} from '../store';
import { NamespaceGuard } from '../trust/NamespaceGuard';
import { resolveTarget } from '../trust/resolveTarget';
import { ComponentDirectory, ComponentTarget } from './ComponentDirectory';
import { EventPlan, planEvent } from './eventPlan';
import { runLink, stampRun, statusContext } from './labels';
import { TransientError } from './errors';
import { approvalTarget } from './approval';
import { StatusJob, StatusQueue } from './StatusQueue';

/** The pure trigger core (from the common package). */
export interface TriggerCore {
  explain(files: PipelineFile[], event: TriggerEvent): PipelineExplanation[];
  render(file: PipelineFile, ctx: RunContext): Record<string, any>;
}

export interface RunCreator {
  createRun(
    target: RunTarget,
    run: Record<string, any>,
  ): Promise<'created' | 'exists'>;
}

export interface TriggerEngineOptions {
  catalog: CatalogService;
  auth: AuthService;
  integrations: ScmIntegrationRegistry;
  bindings: BindingStore;
  namespaces: NamespaceGuard;
  /** The one service account runs use, and the remote resolution allowed. */
  runPolicy: Omit<RunSafetyOptions, 'namespace'>;
  /** How long a repository's catalog component is reused. @default 15000 */
  componentTtlMs?: number;
  logger: LoggerService;
  github: GitHubClients;
  reader: TektonReader;
  clusters: RunCreator;
  deliveries: DeliveryStore;
  statuses: StatusQueue;
  core: TriggerCore;
  /** The portal's `app.baseUrl`, for links to runs. */
  appBaseUrl: string;
  /**
   * How long after receipt a delivery whose repository has no catalog
   * component yet is retried rather than refused: a spotguide pushes its first
   * commit before the catalog has registered (and processed) its component.
   */
  componentGraceMs?: number;
}

interface RunOptions {
  trusted: boolean;
  signal?: AbortSignal;
  ordered?: () => void;
}

/** A run made on its cluster: what the delivery records and reports. */
interface CreatedRun {
  ref: RunRef;
  record: NewRunRecord;
  status: StatusJob;
}

const short = (sha: string) => sha.slice(0, 7);
const pipelineName = (p: PipelineExplanation) =>
  p.pipeline ?? p.file.replace(/^.*\/|\.ya?ml$/g, '');
const APPROVAL_HINT =
  'waiting for approval: a collaborator comments /ok-to-test';
/** The commit status context of a refusal that concerns the whole repository. */
const PORTAL_CONTEXT = 'pipeline-portal';

const hostOf = (url: unknown) => {
  try {
    return new URL(String(url)).host.toLowerCase();
  } catch {
    return undefined;
  }
};

/**
 * Turns one delivery into PipelineRuns. Throws TransientError when GitHub
 * or the cluster should be asked again later; every step may be repeated
 * (run names are deterministic, an existing run counts as created).
 */
export class TriggerEngine {
  private readonly components: ComponentDirectory;

  constructor(private readonly options: TriggerEngineOptions) {
    this.components = new ComponentDirectory({
      catalog: options.catalog,
      auth: options.auth,
      integrations: options.integrations,
      ttlMs: options.componentTtlMs,
    });
  }

  /**
   * `ordered` is called once what must follow the order of a repository's
   * deliveries is done (its `.tekton/` is read): the worker then starts the
   * repository's next delivery.
   */
  async process(
    d: ClaimedDelivery,
    signal?: AbortSignal,
    ordered?: () => void,
  ): Promise<Outcome> {
    if (d.event === 'issue_comment') {
      const approval = await approvalTarget(d, this.options);
      if ('decision' in approval) return approval;
      return this.forPlan(d, approval.payload, {
        trusted: true,
        signal,
        ordered,
      });
    }
    return this.forPlan(d, d.payload, { trusted: false, signal, ordered });
  }

  private async forPlan(
    d: ClaimedDelivery,
    payload: any,
    options: RunOptions,
  ): Promise<Outcome> {
    const [claimants, binding] = await Promise.all([
      this.components.claimants(d.repository),
      this.options.bindings.getCached(
        d.repository,
        this.options.componentTtlMs ?? 15_000,
      ),
    ]);
    const resolution = resolveTarget({
      repository: d.repository,
      host: hostOf(payload.repository?.html_url),
      claimants,
      binding,
    });
    const event = d.event === 'issue_comment' ? 'pull_request' : d.event;
    if (resolution.kind !== 'target') {
      const age = Date.now() - Date.parse(d.receivedAt);
      if (
        resolution.kind === 'waiting' &&
        age < (this.options.componentGraceMs ?? 600_000)
      ) {
        throw new TransientError(`${resolution.reason} yet`);
      }
      return this.refuse(d, event, payload, resolution.reason);
    }
    const { target } = resolution;
    const plan = planEvent(event, payload, {
      pipelinesFromHead: target.pipelinesFromHead,
    });
    if (typeof plan === 'string') return { decision: 'no-match', reason: plan };
    return this.runPlan(d, target, resolution.binding.owner, plan, options);
  }

  /**
   * Nothing runs for the repository: the reason goes on the deliveries page
   * and, for an event that would set commit statuses, on the commit.
   */
  private refuse(
    d: ClaimedDelivery,
    event: string,
    payload: any,
    reason: string,
  ): Outcome {
    const plan = planEvent(event, payload, { pipelinesFromHead: false });
    if (typeof plan !== 'string') {
      this.options.statuses.add({
        htmlUrl: plan.htmlUrl,
        repository: d.repository,
        sha: plan.statusSha,
        context: PORTAL_CONTEXT,
        state: 'failure',
        description: reason,
      });
    }
    return { decision: 'refused', reason };
  }

  private async runPlan(
    d: ClaimedDelivery,
    target: ComponentTarget,
    owner: string,
    plan: EventPlan,
    { trusted, signal, ordered }: RunOptions,
  ): Promise<Outcome> {
    const { github, reader, core } = this.options;
    const client = await github.forRepository(plan.htmlUrl);
    const pr = plan.pullRequest;
    const needsApproval =
      !!pr?.fork &&
      !trusted &&
      !(await hasWriteAccess(client, d.repository, pr.author));
    // An unapproved fork never decides what is read for it.
    const readRef =
      needsApproval && plan.readRef === pr.headSha
        ? String(d.payload.repository?.default_branch ?? 'main')
        : plan.readRef;
    const files = await reader.read(
      client,
      d.repository,
      readRef,
      readRef === plan.statusSha ? plan.hint : undefined,
    );
    ordered?.();
    if (!files.length) {
      return {
        decision: 'no-match',
        reason: `no .tekton/*.yaml at ${short(readRef)}`,
        pipelines: [],
      };
    }
    const pipelines = core.explain(files, plan.trigger);
    const broken = pipelines.filter(p => p.error);
    const toRun = pipelines.filter(p => p.wouldRun && !p.error);
    for (const p of broken) {
      this.status(d, plan, p, 'failure', `${p.file}: ${p.error}`);
    }
    if (needsApproval) {
      toRun.forEach(p => this.status(d, plan, p, 'pending', APPROVAL_HINT));
      return {
        decision: 'needs-approval',
        reason: `pull request #${pr!.number} comes from a fork by ${
          pr!.author
        }, who has no write access: a collaborator comments /ok-to-test to run it at ${short(
          pr!.headSha,
        )}`,
        pipelines,
      };
    }
    if (!toRun.length) {
      return {
        decision: broken.length ? 'failed' : 'no-match',
        reason: broken.length
          ? `broken: ${broken.map(p => p.file).join(', ')}; nothing else runs`
          : `no pipeline runs for this ${plan.trigger.name}`,
        pipelines,
      };
    }
    const { cluster, namespace } = target;
    if (!cluster || !namespace) {
      return {
        decision: 'failed',
        reason: `${target.entityRef} lacks the pipeline-portal.io/runtime-cluster or pipeline-portal.io/namespace annotation`,
        pipelines,
      };
    }
    // The annotations only name a place: the portal's credential goes there
    // only if it is a team namespace the portal made for the bound owner.
    const refusal = await this.options.namespaces.refusal(
      cluster,
      namespace,
      owner,
    );
    if (refusal) {
      toRun.forEach(p => this.status(d, plan, p, 'failure', refusal));
      return { decision: 'refused', reason: refusal, pipelines };
    }
    const byPath = new Map(files.map(f => [f.path, f]));
    const rendered: Array<{
      p: PipelineExplanation;
      run: Record<string, any>;
    }> = [];
    const { serviceAccount, allowedResolvers } = this.options.runPolicy;
    for (const p of toRun) {
      let message: string;
      try {
        const run = withPipelineServiceAccount(
          core.render(byPath.get(p.file)!, plan.context),
          serviceAccount,
        );
        // The run is created with the portal's credential: what would
        // leave the team namespace is refused before the cluster sees it.
        const violations = checkRunSafety(run, {
          serviceAccount,
          namespace,
          allowedResolvers,
        });
        if (!violations.length) {
          rendered.push({ p, run });
          continue;
        }
        message = `refused: ${violations
          .map(v => `${v.path}: ${v.message}`)
          .join('; ')}`;
      } catch (error) {
        // A file the matcher accepted but that cannot be rendered (an
        // unknown placeholder) fails alone, like any broken file.
        message = (error as Error).message;
      }
      broken.push({ ...p, wouldRun: false, error: message });
      this.status(d, plan, p, 'failure', `${p.file}: ${message}`);
    }
    const created = await mapWithConcurrency(
      rendered,
      4,
      async ({ p, run }) => {
        // Another replica holds the delivery now: it creates the runs.
        signal?.throwIfAborted();
        try {
          return await this.createRun(
            d,
            target,
            plan,
            { cluster, namespace },
            p,
            run,
          );
        } catch (error) {
          // Retried as a whole later; runs made already then answer 409.
          if (error instanceof TransientError) throw error;
          // The cluster refused this run (invalid, forbidden): it alone fails.
          const message = (error as Error).message;
          broken.push({ ...p, wouldRun: false, error: message });
          this.status(d, plan, p, 'failure', message);
          return undefined;
        }
      },
    );
    const made = created.filter((r): r is CreatedRun => r !== undefined);
    const runs = made.map(r => r.ref);
    const brokenNote = broken.length
      ? `; broken: ${broken.map(p => p.file).join(', ')}`
      : '';
    // Files that failed after matching (refused, unrenderable, refused by
    // the cluster) show as not run, with why.
    const outcome = pipelines.map(
      p => broken.find(b => b.file === p.file) ?? p,
    );
    if (!runs.length) {
      return {
        decision: 'failed',
        reason: `nothing started${brokenNote}`,
        pipelines: outcome,
      };
    }
    return {
      decision: 'ran',
      reason: `started ${runs
        .map(r => r.pipeline)
        .join(', ')} on ${cluster}/${namespace}${brokenNote}`,
      runs,
      pipelines: outcome,
      records: made.map(r => r.record),
      // The pending status checks the run's record: written after it.
      onRecorded: () => made.forEach(r => this.options.statuses.add(r.status)),
    };
  }

  private async createRun(
    d: ClaimedDelivery,
    target: ComponentTarget,
    plan: EventPlan,
    where: RunTarget,
    explanation: PipelineExplanation,
    rendered: Record<string, any>,
  ): Promise<CreatedRun> {
    const pipeline = pipelineName(explanation);
    const ref = plan.trigger.ref ?? (plan.pullRequest ? d.ref : undefined);
    const run = stampRun(rendered, {
      pipeline,
      kubernetesId: target.kubernetesId,
      repository: d.repository,
      plan,
      ref,
      event: plan.trigger.name,
      deliveryId: d.id,
    });
    run.metadata.namespace = where.namespace;
    await this.options.clusters.createRun(where, run);
    const key = { ...where, name: String(run.metadata.name) };
    const link = runLink(this.options.appBaseUrl, key);
    return {
      ref: { ...key, pipeline, link },
      record: {
        ...key,
        pipeline,
        entityRef: target.entityRef,
        repository: d.repository,
        sha: plan.context.revision,
        ref,
        event: plan.trigger.name,
        deliveryId: d.id,
        statusContext: statusContext(pipeline),
      },
      status: {
        htmlUrl: plan.htmlUrl,
        repository: d.repository,
        sha: plan.statusSha,
        context: statusContext(pipeline),
        state: 'pending',
        description: `${pipeline} started on ${where.cluster}/${where.namespace}`,
        targetUrl: link,
        run: key,
      },
    };
  }

  private status(
    d: ClaimedDelivery,
    plan: EventPlan,
    p: PipelineExplanation,
    state: 'pending' | 'failure',
    description: string,
  ) {
    const pipeline = pipelineName(p);
    this.options.statuses.add({
      htmlUrl: plan.htmlUrl,
      repository: d.repository,
      sha: plan.statusSha,
      context: statusContext(pipeline),
      state,
      description,
    });
  }
}
