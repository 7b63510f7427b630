import {
  DatabaseService,
  LifecycleService,
  LoggerService,
  RootLifecycleService,
  SchedulerService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

/**
 * The scheduler's own table (Backstage's `backend-defaults`): the only record
 * of which replica holds a global task's claim. Read to learn this replica's
 * ticket and written only to hand back a claim this replica holds.
 */
const TASKS_TABLE = 'backstage_backend_tasks__tasks';

export interface GlobalTaskOptions
  extends Omit<SchedulerServiceTaskScheduleDefinition, 'scope'> {
  id: string;
  /**
   * One pass. Stop early when `signal` aborts: at the task's timeout, or
   * when this replica begins to stop.
   */
  fn(signal: AbortSignal): Promise<void>;
  /**
   * How long a stopping replica waits for a running pass before abandoning
   * it and handing the task back. Default 5 s.
   */
  shutdownGraceMs?: number;
}

export interface GlobalTaskDeps {
  scheduler: SchedulerService;
  rootLifecycle: RootLifecycleService;
  lifecycle: LifecycleService;
  database: DatabaseService;
  logger: LoggerService;
}

/**
 * Schedules a task that one replica at a time runs (Backstage's global
 * scope), as a replica among several should:
 *
 * - nothing runs before the whole backend is ready (the task is scheduled
 *   from the root start-up hook, which a failed start never reaches) or once
 *   it has begun to stop;
 * - on shutdown the running pass is aborted and waited for (bounded), and
 *   the task is handed back due now, so another replica runs it within its
 *   poll interval instead of after the claim's timeout.
 *
 * The claim's timeout (`timeout`) is what a replica killed without warning
 * costs: set it close to a pass's real worst case.
 */
export function scheduleGlobalTask(
  deps: GlobalTaskDeps,
  options: GlobalTaskOptions,
): void {
  const { fn, shutdownGraceMs = 5_000, ...schedule } = options;
  delete (schedule as { scope?: unknown }).scope;
  const { logger } = deps;
  let stopping = false;
  let running:
    | { ticket?: string; done: Promise<void>; abort: AbortController }
    | undefined;
  let handBack: string | undefined;

  const pass = async (signal: AbortSignal) => {
    const knex = await deps.database.getClient();
    const ticket = await currentTicket(knex, options.id);
    if (stopping) {
      // Claimed in the moment between the start of shutdown and the
      // scheduler's own stop: give it back rather than skip a cadence.
      handBack = ticket;
      return;
    }
    const abort = new AbortController();
    const onAbort = () => abort.abort();
    if (signal.aborted) abort.abort();
    signal.addEventListener('abort', onAbort);
    const done = fn(abort.signal).finally(() => {
      signal.removeEventListener('abort', onAbort);
    });
    running = { ticket, done, abort };
    try {
      await done;
    } finally {
      running = undefined;
    }
  };

  deps.rootLifecycle.addStartupHook(async () => {
    await deps.scheduler.scheduleTask({
      ...schedule,
      scope: 'global',
      fn: pass,
    });
  });
  deps.rootLifecycle.addBeforeShutdownHook(() => {
    stopping = true;
  });
  deps.lifecycle.addShutdownHook(async () => {
    stopping = true;
    const current = running;
    if (current) {
      handBack = current.ticket;
      current.abort.abort();
      const finished = await Promise.race([
        current.done.then(
          () => true,
          () => true,
        ),
        sleep(shutdownGraceMs).then(() => false),
      ]);
      if (!finished) {
        logger.warn(
          `${options.id}: the running pass did not stop within ${shutdownGraceMs} ms of shutdown; abandoning it`,
        );
      }
    }
    if (handBack === undefined) return;
    try {
      const knex = await deps.database.getClient();
      await handBackClaim(knex, options.id, handBack);
      logger.info(`${options.id}: handed back to the other replicas`);
    } catch (error) {
      logger.warn(`${options.id}: could not hand the task back, ${error}`);
    }
  });
}

async function currentTicket(
  knex: Knex,
  id: string,
): Promise<string | undefined> {
  try {
    const row = await knex(TASKS_TABLE)
      .where({ id })
      .first('current_run_ticket');
    return row?.current_run_ticket ?? undefined;
  } catch {
    // Another scheduler implementation (tests run passes by hand): no
    // claim to hand back.
    return undefined;
  }
}

/**
 * Ends this replica's claim and makes the task due now. The scheduler
 * releases a claim itself once the pass returns (and sets the next run a
 * cadence later): wait briefly for that, then clear the claim if it is
 * still ours, and move the next run to now unless another replica has
 * claimed it meanwhile.
 */
async function handBackClaim(
  knex: Knex,
  id: string,
  ticket: string,
): Promise<void> {
  for (let i = 0; i < 20; i++) {
    if ((await currentTicket(knex, id)) !== ticket) break;
    await sleep(50);
  }
  await knex(TASKS_TABLE)
    .where({ id })
    .andWhere(q =>
      q.whereNull('current_run_ticket').orWhere('current_run_ticket', ticket),
    )
    .update({
      current_run_ticket: null,
      current_run_started_at: null,
      current_run_expires_at: null,
      next_run_start_at: knex.fn.now(),
    });
}

/**
 * A scheduler whose every task is a {@link scheduleGlobalTask}: hand it to
 * code that takes a `SchedulerService` for its `scheduleTask`. Tasks are
 * recorded at once and scheduled when the backend is ready.
 */
export function globalTaskScheduler(
  deps: GlobalTaskDeps,
  options: { shutdownGraceMs?: number } = {},
): Pick<SchedulerService, 'scheduleTask'> {
  return {
    scheduleTask: async task => {
      scheduleGlobalTask(deps, {
        ...task,
        fn: async signal => {
          await task.fn(signal);
        },
        shutdownGraceMs: options.shutdownGraceMs,
      });
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}
