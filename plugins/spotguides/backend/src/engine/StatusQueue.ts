import type { LoggerService } from '@backstage/backend-plugin-api';
import { CommitState, setCommitStatus } from '../github/repoApi';
import { GitHubClients } from '../github/octokit';
import { RunKey, RunStore } from '../store';
import { TransientError } from './errors';

export interface StatusJob {
  htmlUrl: string;
  repository: string;
  sha: string;
  context: string;
  state: CommitState;
  description: string;
  targetUrl?: string;
  /** A run's pending status: skipped once the run moved on (the watcher reports it). */
  run?: RunKey;
}

const MAX_TRIES = 5;

/**
 * Writes commit statuses off the delivery's path: GitHub's client spaces
 * writes (at most one a second per host), and a delivery should not wait for
 * that. A run's status is also in the runs table, so the status watcher
 * reports it should this process stop first.
 */
export class StatusQueue {
  private readonly jobs: Array<{ job: StatusJob; tries: number }> = [];
  private running = 0;
  private stopped = false;
  private idleWaiters: Array<() => void> = [];
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly options: {
      github: GitHubClients;
      runs: RunStore;
      logger: LoggerService;
      concurrency?: number;
    },
  ) {}

  add(job: StatusJob): void {
    if (this.stopped) return;
    this.jobs.push({ job, tries: 0 });
    this.pump();
  }

  /** Resolves when nothing is queued or in flight (tests, benchmarks). */
  idle(): Promise<void> {
    if (!this.running && !this.jobs.length && !this.timers.size) {
      return Promise.resolve();
    }
    return new Promise(resolve => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    this.jobs.length = 0;
    this.timers.forEach(t => clearTimeout(t));
    this.timers.clear();
    this.settle();
  }

  private pump(): void {
    const limit = this.options.concurrency ?? 4;
    while (!this.stopped && this.running < limit && this.jobs.length) {
      const next = this.jobs.shift()!;
      this.running++;
      this.write(next)
        .catch(error => this.retry(next, error))
        .finally(() => {
          this.running--;
          this.pump();
          this.settle();
        });
    }
  }

  private async write({ job }: { job: StatusJob }): Promise<void> {
    const { runs } = this.options;
    // Taken in the runs table first: skipped once the run moved on or the
    // status watcher (of any replica) wrote it, and never written twice.
    if (
      job.run &&
      !(await runs.claimReport(job.run, undefined, 'Pending', {
        status: 'Pending',
      }))
    ) {
      return;
    }
    try {
      const client = await this.options.github.forRepository(job.htmlUrl);
      await setCommitStatus(client, job.repository, job.sha, job);
    } catch (error) {
      if (job.run) await runs.claimReport(job.run, 'Pending', undefined);
      throw error;
    }
  }

  private retry(entry: { job: StatusJob; tries: number }, error: unknown) {
    entry.tries++;
    const what = `${entry.job.context} on ${
      entry.job.repository
    }@${entry.job.sha.slice(0, 7)}`;
    if (!(error instanceof TransientError) || entry.tries >= MAX_TRIES) {
      this.options.logger.warn(`could not set commit status ${what}: ${error}`);
      return;
    }
    const wait = Math.max(
      1000 * 2 ** entry.tries,
      (error.retryAt ?? 0) - Date.now(),
    );
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.jobs.push(entry);
      this.pump();
    }, wait);
    timer.unref?.();
    this.timers.add(timer);
  }

  private settle(): void {
    if (this.running || this.jobs.length || this.timers.size) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    waiters.forEach(w => w());
  }
}
