import type { LoggerService } from '@backstage/backend-plugin-api';
import { randomUUID } from 'node:crypto';
import { ClaimedDelivery, DeliveryStore, Outcome } from '../store';
import { backoffMs, TransientError } from './errors';

export interface WorkerOptions {
  store: DeliveryStore;
  logger: LoggerService;
  /**
   * Decides one delivery. `signal` aborts when the lease is lost: nothing
   * more may be written for the delivery then. The repository's next
   * delivery starts once this one calls `ordered` (or has ended): what
   * must happen in the order received (reading `.tekton/`, so a push finds
   * its parent's listing) comes before it, the slow rest overlaps.
   */
  process(
    d: ClaimedDelivery,
    signal: AbortSignal,
    ordered: () => void,
  ): Promise<Outcome>;
  /** Deliveries processed at once by this replica. @default 16 */
  concurrency?: number;
  /** How long a claim holds before another replica may take over. @default 60000 */
  leaseMs?: number;
  /** How often the queue is looked at without a nudge. @default 1000 */
  pollMs?: number;
  /** First retry delay, doubled per attempt. @default 2000 */
  backoffBaseMs?: number;
  /** Longest retry delay. @default 300000 */
  backoffCapMs?: number;
  /** Attempts before a delivery is given up as failed. @default 30 */
  maxAttempts?: number;
  /** Told of each decision recorded (for metrics). */
  onDecided?(d: ClaimedDelivery, outcome: Outcome): void;
}

/**
 * Drains the delivery queue: claims due deliveries with a lease, runs the
 * engine on each and records the decision, or puts a delivery back with a
 * capped back-off when the failure is transient. Nudged by the intake and
 * polling otherwise, so deliveries queued before a restart, by another
 * replica or due for a retry are picked up.
 */
export class Worker {
  readonly owner = `worker-${randomUUID()}`;
  private inFlight = 0;
  private timer?: NodeJS.Timeout;
  private pumping = false;
  private again = false;
  private stopped = true;
  private readonly active = new Set<Promise<void>>();
  /** Aborts the work of each delivery being decided (on shutdown). */
  private readonly leases = new Set<() => void>();
  /** Per repository, the ordered part of its last delivery, which the next one waits for. */
  private readonly tails = new Map<string, Promise<void>>();

  constructor(private readonly options: WorkerOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule();
    this.nudge();
  }

  /**
   * Stops claiming, lets the deliveries already being decided finish for at
   * most `graceMs`, and hands every lease this replica still holds back to
   * the queue, so another replica takes those deliveries at once instead of
   * when their leases run out. Deliveries claimed but not yet started are
   * not started.
   */
  async stop(graceMs = 5_000): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.active]),
      new Promise(resolve => {
        timer = setTimeout(resolve, graceMs);
      }),
    ]);
    clearTimeout(timer);
    for (const abort of this.leases) abort();
    const released = await this.options.store.releaseAll(this.owner);
    if (released > 0) {
      this.options.logger.info(
        `handed ${released} claimed deliveries back to the queue on shutdown`,
      );
    }
  }

  /** Looks at the queue now (a delivery was just queued). */
  nudge(): void {
    if (this.stopped) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    this.pump()
      .catch(error =>
        this.options.logger.warn(`reading the delivery queue failed: ${error}`),
      )
      .finally(() => {
        this.pumping = false;
        if (this.again) {
          this.again = false;
          this.nudge();
        }
      });
  }

  private schedule() {
    this.timer = setTimeout(() => {
      this.nudge();
      if (!this.stopped) this.schedule();
    }, this.options.pollMs ?? 1000);
    this.timer.unref?.();
  }

  private async pump(): Promise<void> {
    const concurrency = this.options.concurrency ?? 16;
    // Claimed in batches: under load a claim per finished delivery would
    // cost the queue one more query per delivery.
    const batch = Math.max(1, Math.floor(concurrency / 4));
    while (
      !this.stopped &&
      (this.inFlight === 0 || concurrency - this.inFlight >= batch)
    ) {
      const claimed = await this.options.store.claim(this.owner, {
        limit: concurrency - this.inFlight,
        leaseMs: this.options.leaseMs ?? 60_000,
      });
      if (!claimed.length) return;
      for (const d of claimed) this.begin(d);
    }
  }

  private begin(d: ClaimedDelivery): void {
    this.inFlight++;
    // One repository's deliveries start in the order received: a push
    // then finds its parent's .tekton/ listing cached (no request), and
    // runs start in commit order.
    const previous = this.tails.get(d.repository) ?? Promise.resolve();
    let ordered!: () => void;
    const tail = new Promise<void>(resolve => {
      ordered = resolve;
    });
    this.tails.set(d.repository, tail);
    const job: Promise<void> = previous
      .then(() => this.handle(d, ordered))
      // The database failed us: the lease runs out and the delivery is
      // taken again then.
      .catch(error =>
        this.options.logger.error(
          `recording delivery ${d.id} failed: ${error}`,
        ),
      )
      .finally(() => {
        ordered();
        this.inFlight--;
        this.active.delete(job);
        if (this.tails.get(d.repository) === tail) {
          this.tails.delete(d.repository);
        }
        this.nudge();
      });
    this.active.add(job);
  }

  private async handle(d: ClaimedDelivery, ordered: () => void): Promise<void> {
    const { store, logger } = this.options;
    // Claimed before shutdown began, started after: its lease is handed back.
    if (this.stopped) return;
    const lease = this.holdLease(d);
    try {
      const outcome = await this.options.process(d, lease.signal, ordered);
      lease.signal.throwIfAborted();
      if (await store.complete(d.id, this.owner, outcome)) {
        outcome.onRecorded?.();
        this.options.onDecided?.(d, outcome);
      }
    } catch (error) {
      if (lease.signal.aborted) {
        logger.warn(
          `delivery ${d.id} (${d.event} ${d.repository}) given up: ${
            this.stopped
              ? 'this replica is stopping'
              : 'its lease was lost to another replica'
          }`,
        );
        return;
      }
      const transient = error instanceof TransientError;
      const max = this.options.maxAttempts ?? 30;
      if (!transient || d.attempts >= max) {
        logger.error(
          `delivery ${d.id} (${d.event} ${d.repository}) failed: ${error}`,
        );
        const failed: Outcome = {
          decision: 'failed',
          reason: transient
            ? `gave up after ${d.attempts} attempts: ${
                (error as Error).message
              }`
            : String((error as Error)?.message ?? error),
        };
        if (await store.complete(d.id, this.owner, failed)) {
          this.options.onDecided?.(d, failed);
        }
        return;
      }
      const delay = backoffMs(
        d.attempts,
        this.options.backoffBaseMs ?? 2000,
        this.options.backoffCapMs ?? 300_000,
      );
      const at = Math.max(Date.now() + delay, error.retryAt ?? 0);
      logger.info(
        `delivery ${d.id} (${d.event} ${d.repository}) retried in ${Math.round(
          (at - Date.now()) / 1000,
        )} s: ${error.message}`,
      );
      await store.retryLater(d.id, this.owner, {
        at,
        reason: `attempt ${d.attempts} delayed: ${error.message}`,
      });
    } finally {
      lease.release();
    }
  }

  /**
   * Renews the delivery's lease every third of its length while it is
   * worked on, so slow work (GitHub rate limits, a slow cluster) is never
   * taken over by another replica; aborts when a renewal finds it lost.
   */
  private holdLease(d: ClaimedDelivery) {
    const leaseMs = this.options.leaseMs ?? 60_000;
    const controller = new AbortController();
    const timer = setInterval(() => {
      this.options.store.renew(d.id, this.owner, leaseMs).then(
        held => {
          if (!held) controller.abort(new Error('lease lost'));
        },
        error =>
          this.options.logger.warn(
            `renewing the lease of ${d.id} failed: ${error}`,
          ),
      );
    }, Math.max(Math.floor(leaseMs / 3), 10));
    timer.unref?.();
    const abort = () => controller.abort(new Error('stopping'));
    this.leases.add(abort);
    return {
      signal: controller.signal,
      release: () => {
        clearInterval(timer);
        this.leases.delete(abort);
      },
    };
  }
}
