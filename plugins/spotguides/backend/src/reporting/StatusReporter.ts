import type { LoggerService } from '@backstage/backend-plugin-api';
import type { CustomObjectsApi } from '@kubernetes/client-node';
import { mapWithConcurrency } from '@pipeline-portal/backend-kit';
import type { RunStatus } from '@pipeline-portal/plugin-spotguides-common';
import type { RunKey, RunRecord } from '../store';
import { ObservedRun, readRun } from './runState';

/** The part of the runs table the reporter uses (`RunStore` fits). */
export interface ReportingRunStore {
  listActive(limit: number): Promise<RunRecord[]>;
  listUnreported(limit: number): Promise<RunRecord[]>;
  setStatus(
    key: RunKey,
    status: RunStatus,
    completedAt?: string,
  ): Promise<void>;
  markReported(key: RunKey, status: RunStatus): Promise<void>;
  /** Takes the write of `to` when the commit shows `from` (`RunStore.claimReport`). */
  claimReport(
    key: RunKey,
    from: RunStatus | undefined,
    to: RunStatus | undefined,
  ): Promise<boolean>;
}

/** An Octokit (throttled, with retries) as far as commit statuses go. */
export interface StatusClient {
  rest: {
    repos: {
      createCommitStatus(params: {
        owner: string;
        repo: string;
        sha: string;
        state: 'pending' | 'success' | 'failure' | 'error';
        context: string;
        description?: string;
        target_url?: string;
      }): Promise<unknown>;
    };
  };
}

/** Finds the client of a repository's GitHub host (the engine's `GitHubClients` fits). */
export interface StatusClients {
  webUrl(repository: string): string;
  forRepository(htmlUrl: string): Promise<StatusClient>;
}

export interface StatusReporterOptions {
  runs: ReportingRunStore;
  github: StatusClients;
  /** The Tekton-capable client of a runtime cluster. */
  customObjects: (cluster: string) => Promise<CustomObjectsApi>;
  logger: LoggerService;
  /** `app.baseUrl`, for the status's link to the run. */
  appBaseUrl: string;
  /** Runs looked at per pass. Default 200. */
  batchSize?: number;
  /** Runs read from clusters at once. Default 4. */
  readConcurrency?: number;
  /**
   * A pending status is written when the engine's own write has not
   * happened this long after the run was created (it stopped first). Default 30 s.
   */
  pendingGraceMs?: number;
  now?: () => number;
}

export interface ReportPass {
  /** Runs whose new status was read from their cluster. */
  changed: number;
  /** Commit statuses written. */
  reported: number;
  /** Statuses left for a later pass (rate limit, GitHub or cluster down). */
  deferred: number;
}

const STATE: Record<RunStatus, 'pending' | 'success' | 'failure'> = {
  Pending: 'pending',
  Running: 'pending',
  Succeeded: 'success',
  Failed: 'failure',
};

const keyOf = (r: RunKey): RunKey => ({
  cluster: r.cluster,
  namespace: r.namespace,
  name: r.name,
});
const id = (r: RunKey) => `${r.cluster}/${r.namespace}/${r.name}`;

/** `<app.baseUrl>/spotguides/runs/<cluster>/<namespace>/<name>` */
export function runLink(baseUrl: string, run: RunKey): string {
  const parts = [run.cluster, run.namespace, run.name].map(encodeURIComponent);
  return `${baseUrl.replace(/\/+$/, '')}/spotguides/runs/${parts.join('/')}`;
}

/** When a GitHub answer is a rate limit: the epoch ms to wait for. */
export function rateLimitedUntil(
  error: unknown,
  now: number,
): number | undefined {
  const e = error as {
    status?: number;
    message?: string;
    response?: { headers?: Record<string, string | number | undefined> };
  };
  if (e.status !== 403 && e.status !== 429) return undefined;
  const headers = e.response?.headers ?? {};
  const retryAfter = Number(headers['retry-after']);
  const remaining = headers['x-ratelimit-remaining'];
  const limited =
    Number.isFinite(retryAfter) ||
    String(remaining) === '0' ||
    /rate limit/i.test(e.message ?? '');
  if (!limited) return undefined;
  if (Number.isFinite(retryAfter)) return now + retryAfter * 1000;
  const reset = Number(headers['x-ratelimit-reset']);
  return Number.isFinite(reset) ? reset * 1000 : now + 60_000;
}

/**
 * The status watcher: reads each unfinished run's PipelineRun from its
 * cluster, records what changed, and sets the commit status (pending,
 * success, failure) linking to the run in the portal. Writes go one after
 * another through the throttled client; on a rate limit the pass stops and
 * no write is tried before GitHub's `retry-after`. Nothing is lost: a status
 * not written stays unreported in the runs table for the next pass.
 */
export class StatusReporter {
  private pausedUntil = 0;
  /** Tekton's message of runs that ended, for the failure description. */
  private readonly messages = new Map<string, string>();

  constructor(private readonly options: StatusReporterOptions) {}

  private now() {
    return this.options.now?.() ?? Date.now();
  }

  async runOnce(): Promise<ReportPass> {
    const changed = await this.observe();
    const { reported, deferred } = await this.report();
    return { changed, reported, deferred };
  }

  /** Reads active runs from their clusters and records changes. */
  private async observe(): Promise<number> {
    const { runs, customObjects, logger } = this.options;
    const active = await runs.listActive(this.options.batchSize ?? 200);
    const down = new Set<string>();
    let changed = 0;
    await mapWithConcurrency(
      active,
      this.options.readConcurrency ?? 4,
      async run => {
        if (down.has(run.cluster)) return;
        let seen: ObservedRun | undefined;
        try {
          const api = await customObjects(run.cluster);
          seen = (await readRun(api, run.namespace, run.name)) ?? {
            status: 'Failed',
            completedAt: new Date(this.now()).toISOString(),
            message: 'the PipelineRun was deleted before it ended',
          };
        } catch (error) {
          down.add(run.cluster);
          logger.warn(`cannot read PipelineRuns on ${run.cluster}: ${error}`);
          return;
        }
        if (seen.status === run.status) return;
        if (seen.message) this.messages.set(id(run), seen.message);
        await runs.setStatus(keyOf(run), seen.status, seen.completedAt);
        changed++;
      },
    );
    return changed;
  }

  /** Writes the statuses the commits do not show yet, one at a time. */
  private async report(): Promise<{ reported: number; deferred: number }> {
    const { runs, logger } = this.options;
    const grace = this.options.pendingGraceMs ?? 30_000;
    const due = await runs.listUnreported(this.options.batchSize ?? 200);
    let reported = 0;
    let deferred = 0;
    for (const [index, run] of due.entries()) {
      if (this.now() < this.pausedUntil) {
        deferred += due.length - index;
        break;
      }
      const shown = run.reportedStatus;
      // The commit already shows pending: a run going Running changes nothing there.
      if (run.status === 'Running' && shown === 'Pending') {
        await runs.markReported(keyOf(run), 'Running');
        continue;
      }
      // The engine writes the first pending itself; only stand in when it did not.
      if (
        (run.status === 'Pending' || run.status === 'Running') &&
        !shown &&
        this.now() - Date.parse(run.createdAt) < grace
      ) {
        continue;
      }
      // Taken first: another writer (the engine's queue, a replica's
      // watcher) that got there writes it, not this one too.
      if (!(await runs.claimReport(keyOf(run), shown, run.status))) continue;
      const outcome = await this.write(run);
      if (outcome === 'written') reported++;
      else if (outcome === 'deferred') deferred++;
      if (outcome !== 'deferred') {
        this.messages.delete(id(run));
      } else {
        await runs.claimReport(keyOf(run), run.status, shown);
      }
      if (outcome === 'deferred' && this.now() < this.pausedUntil) {
        logger.info(
          `GitHub rate limit: commit statuses wait until ${new Date(
            this.pausedUntil,
          ).toISOString()}`,
        );
      }
    }
    return { reported, deferred };
  }

  private async write(
    run: RunRecord,
  ): Promise<'written' | 'deferred' | 'dropped'> {
    const { github, logger, appBaseUrl } = this.options;
    const [owner, repo] = run.repository.split('/');
    try {
      const client = await github.forRepository(github.webUrl(run.repository));
      await client.rest.repos.createCommitStatus({
        owner,
        repo,
        sha: run.sha,
        state: STATE[run.status],
        context: run.statusContext,
        description: this.describe(run),
        target_url: runLink(appBaseUrl, run),
      });
      return 'written';
    } catch (error) {
      const until = rateLimitedUntil(error, this.now());
      if (until !== undefined) {
        this.pausedUntil = Math.max(this.pausedUntil, until);
        return 'deferred';
      }
      const status = (error as { status?: number }).status;
      const what = `${run.statusContext} on ${run.repository}@${run.sha.slice(
        0,
        7,
      )}`;
      // The commit or repository is gone, or GitHub refuses the status: retrying cannot help.
      if (status === 404 || status === 422) {
        logger.warn(`dropped commit status ${what}: ${error}`);
        return 'dropped';
      }
      logger.warn(`commit status ${what} deferred: ${error}`);
      return 'deferred';
    }
  }

  private describe(run: RunRecord): string {
    const text = {
      Pending: `${run.pipeline} is queued`,
      Running: `${run.pipeline} is running`,
      Succeeded: `${run.pipeline} succeeded`,
      Failed: `${run.pipeline} failed${
        this.messages.has(id(run)) ? `: ${this.messages.get(id(run))}` : ''
      }`,
    }[run.status];
    // GitHub refuses descriptions over 140 characters.
    return text.length > 140 ? `${text.slice(0, 139)}…` : text;
  }
}
