import type { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type {
  PipelineExplanation,
  PipelineFile,
  RunContext,
  RunRef,
  TriggerEvent,
} from '@pipeline-portal/plugin-spotguides-common';
import { mapWithConcurrency } from '@pipeline-portal/backend-kit';
import { GitHubClients } from '../github/octokit';
import { hasWriteAccess } from '../github/repoApi';
import { TektonReader } from '../github/TektonReader';
import { RunTarget } from '../runtime/RuntimeClusters';
import { ClaimedDelivery, DeliveryStore, Outcome, RunStore } from '../store';
import { ComponentDirectory, ComponentTarget } from './components';
import { EventPlan, planEvent } from './eventPlan';
import { runLink, stampRun, statusContext } from './labels';
import { TransientError } from './errors';
import { approvalTarget } from './okToTest';
import { StatusQueue } from './StatusQueue';

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
  /** How long a repository's catalog component is reused. @default 15000 */
  componentTtlMs?: number;
  logger: LoggerService;
  github: GitHubClients;
  reader: TektonReader;
  clusters: RunCreator;
  runs: RunStore;
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

const short = (sha: string) => sha.slice(0, 7);
const pipelineName = (p: PipelineExplanation) =>
  p.pipeline ?? p.file.replace(/^.*\/|\.ya?ml$/g, '');
const APPROVAL_HINT =
  'waiting for approval: a collaborator comments /ok-to-test';

/**
 * Turns one delivery into PipelineRuns. Throws TransientError when GitHub
 * or the cluster should be asked again later; every step may be repeated
 * (run names are deterministic, an existing run counts as created).
 */
export class TriggerEngine {
  private readonly components: ComponentDirectory;

  constructor(private readonly o: TriggerEngineOptions) {
    this.components = new ComponentDirectory({
      catalog: o.catalog,
      auth: o.auth,
      ttlMs: o.componentTtlMs,
    });
  }

  async process(d: ClaimedDelivery): Promise<Outcome> {
    if (d.event === 'issue_comment') {
      const approval = await approvalTarget(d, this.o);
      if ('decision' in approval) return approval;
      return this.forPlan(d, approval.payload, { trusted: true });
    }
    return this.forPlan(d, d.payload, { trusted: false });
  }

  private async forPlan(
    d: ClaimedDelivery,
    payload: any,
    options: { trusted: boolean },
  ): Promise<Outcome> {
    const target = await this.components.find(d.repository);
    if (!target) {
      const reason = `no catalog component has github.com/project-slug ${d.repository}`;
      const age = Date.now() - Date.parse(d.receivedAt);
      if (age < (this.o.componentGraceMs ?? 600_000)) {
        throw new TransientError(`${reason} yet`);
      }
      return { decision: 'refused', reason };
    }
    const event = d.event === 'issue_comment' ? 'pull_request' : d.event;
    const plan = planEvent(event, payload, {
      pipelinesFromHead: target.pipelinesFromHead,
    });
    if (typeof plan === 'string') return { decision: 'no-match', reason: plan };
    return this.runPlan(d, target, plan, options.trusted);
  }

  private async runPlan(
    d: ClaimedDelivery,
    target: ComponentTarget,
    plan: EventPlan,
    trusted: boolean,
  ): Promise<Outcome> {
    const { github, reader, core } = this.o;
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
    const byPath = new Map(files.map(f => [f.path, f]));
    const rendered: Array<{
      p: PipelineExplanation;
      run: Record<string, any>;
    }> = [];
    for (const p of toRun) {
      try {
        rendered.push({
          p,
          run: core.render(byPath.get(p.file)!, plan.context),
        });
      } catch (error) {
        // A file the matcher accepted but that cannot be rendered (an
        // unknown placeholder) fails alone, like any broken file.
        const message = (error as Error).message;
        broken.push({ ...p, wouldRun: false, error: message });
        this.status(d, plan, p, 'failure', `${p.file}: ${message}`);
      }
    }
    const created = await mapWithConcurrency(
      rendered,
      4,
      async ({ p, run }) => {
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
    const runs = created.filter((r): r is RunRef => r !== undefined);
    const brokenNote = broken.length
      ? `; broken: ${broken.map(p => p.file).join(', ')}`
      : '';
    if (!runs.length) {
      return {
        decision: 'failed',
        reason: `nothing started${brokenNote}`,
        pipelines,
      };
    }
    return {
      decision: 'ran',
      reason: `started ${runs
        .map(r => r.pipeline)
        .join(', ')} on ${cluster}/${namespace}${brokenNote}`,
      runs,
      pipelines,
    };
  }

  private async createRun(
    d: ClaimedDelivery,
    target: ComponentTarget,
    plan: EventPlan,
    where: RunTarget,
    explanation: PipelineExplanation,
    rendered: Record<string, any>,
  ): Promise<RunRef> {
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
    await this.o.clusters.createRun(where, run);
    const key = { ...where, name: String(run.metadata.name) };
    await this.o.runs.insert({
      ...key,
      pipeline,
      entityRef: target.entityRef,
      repository: d.repository,
      sha: plan.context.revision,
      ref,
      event: plan.trigger.name,
      deliveryId: d.id,
      statusContext: statusContext(pipeline),
    });
    const link = runLink(this.o.appBaseUrl, key);
    this.o.statuses.add({
      htmlUrl: plan.htmlUrl,
      repository: d.repository,
      sha: plan.statusSha,
      context: statusContext(pipeline),
      state: 'pending',
      description: `${pipeline} started on ${where.cluster}/${where.namespace}`,
      targetUrl: link,
      run: key,
    });
    return { ...key, pipeline, link };
  }

  private status(
    d: ClaimedDelivery,
    plan: EventPlan,
    p: PipelineExplanation,
    state: 'pending' | 'failure',
    description: string,
  ) {
    const pipeline = pipelineName(p);
    this.o.statuses.add({
      htmlUrl: plan.htmlUrl,
      repository: d.repository,
      sha: plan.statusSha,
      context: statusContext(pipeline),
      state,
      description,
    });
  }
}
