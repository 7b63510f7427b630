/*
 * Test doubles of two core services: a logger that records every call and a
 * scheduler whose chosen tasks run only when a test asks.
 */
import {
  LoggerService,
  RootLoggerService,
  SchedulerService,
  SchedulerServiceTaskDescriptor,
  SchedulerServiceTaskFunction,
  SchedulerServiceTaskInvocationDefinition,
  SchedulerServiceTaskRunner,
  SchedulerServiceTaskScheduleDefinition,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { JsonObject } from '@backstage/types';

/** One captured logger call, with the merged child metadata. */
export interface CapturedLog {
  level: 'error' | 'warn' | 'info' | 'debug';
  message: string;
  meta: Record<string, unknown>;
}

function serializeMeta(meta?: Error | JsonObject): Record<string, unknown> {
  if (!meta) return {};
  if (meta instanceof Error) {
    return {
      error: {
        name: meta.name,
        message: meta.message,
        stack: meta.stack,
        ...Object.fromEntries(Object.entries(meta)),
      },
    };
  }
  return { ...meta };
}

/** A logger that records every call (of every plugin) and prints nothing. */
export class CapturingLogger implements RootLoggerService {
  constructor(
    readonly logs: CapturedLog[] = [],
    private readonly fields: Record<string, unknown> = {},
  ) {}

  private add(
    level: CapturedLog['level'],
    message: unknown,
    meta?: Error | JsonObject,
  ) {
    this.logs.push({
      level,
      message: String(message),
      meta: { ...this.fields, ...serializeMeta(meta) },
    });
  }

  error(message: string, meta?: Error | JsonObject) {
    this.add('error', message, meta);
  }
  warn(message: string, meta?: Error | JsonObject) {
    this.add('warn', message, meta);
  }
  info(message: string, meta?: Error | JsonObject) {
    this.add('info', message, meta);
  }
  debug(message: string, meta?: Error | JsonObject) {
    this.add('debug', message, meta);
  }
  child(meta: JsonObject): LoggerService {
    return new CapturingLogger(this.logs, { ...this.fields, ...meta });
  }
}

interface RecordedTask {
  id: string;
  fn: SchedulerServiceTaskFunction;
  descriptor: SchedulerServiceTaskDescriptor;
  /** Period of the automatic runs; undefined for tasks run on demand only. */
  periodMs?: number;
  running?: Promise<void>;
  timer?: NodeJS.Timeout;
  abort: AbortController;
}

const MS: Record<string, number> = {
  milliseconds: 1,
  seconds: 1000,
  minutes: 60_000,
  hours: 3_600_000,
  days: 86_400_000,
};

/** A HumanDuration frequency in ms; undefined for cron, ISO or manual. */
function periodOf(
  frequency: SchedulerServiceTaskScheduleDefinition['frequency'],
): number | undefined {
  if (!frequency || typeof frequency !== 'object') return undefined;
  if ('cron' in frequency || 'trigger' in frequency) return undefined;
  let ms = 0;
  for (const [unit, value] of Object.entries(frequency)) {
    if (typeof value === 'number' && MS[unit]) ms += value * MS[unit];
  }
  return ms > 0 ? ms : undefined;
}

/**
 * Records every `scheduleTask`. Tasks named in `onDemand` (the plugin's
 * reconcile loop) never run by themselves: `run(id)` runs them once and
 * resolves when the pass is over. Every other task (the catalog provider,
 * janitors) runs once at startup and then at its own frequency, as the
 * real scheduler would, with timers that never keep the process alive.
 */
export class ControllableScheduler implements SchedulerService {
  readonly tasks = new Map<string, RecordedTask>();
  private started = false;

  constructor(private readonly onDemand: ReadonlySet<string>) {}

  async scheduleTask(
    task: SchedulerServiceTaskScheduleDefinition &
      SchedulerServiceTaskInvocationDefinition,
  ): Promise<void> {
    const previous = this.tasks.get(task.id);
    if (previous?.timer) clearInterval(previous.timer);
    const recorded: RecordedTask = {
      id: task.id,
      fn: task.fn,
      descriptor: {
        id: task.id,
        scope: task.scope ?? 'global',
        settings: { version: 1 },
      },
      periodMs: this.onDemand.has(task.id)
        ? undefined
        : periodOf(task.frequency),
      abort: new AbortController(),
    };
    this.tasks.set(task.id, recorded);
    if (this.started) this.startTimer(recorded);
  }

  createScheduledTaskRunner(
    schedule: SchedulerServiceTaskScheduleDefinition,
  ): SchedulerServiceTaskRunner {
    return {
      run: task => this.scheduleTask({ ...schedule, ...task }),
    };
  }

  async getScheduledTasks(): Promise<SchedulerServiceTaskDescriptor[]> {
    return [...this.tasks.values()].map(t => t.descriptor);
  }

  async triggerTask(id: string): Promise<void> {
    await this.run(id);
  }

  async cancelTask(id: string): Promise<void> {
    const task = this.tasks.get(id);
    task?.abort.abort();
    if (task) task.abort = new AbortController();
  }

  /** Runs a task once now (after any run in flight) and waits for it. */
  async run(id: string): Promise<void> {
    const task = this.tasks.get(id);
    if (!task) {
      throw new Error(
        `task ${id} was never scheduled (scheduled: ${[
          ...this.tasks.keys(),
        ].join(', ')})`,
      );
    }
    while (task.running) await task.running;
    task.running = Promise.resolve()
      .then(() => task.fn(task.abort.signal))
      .finally(() => {
        task.running = undefined;
      });
    await task.running;
  }

  private startTimer(task: RecordedTask) {
    if (!task.periodMs) return;
    const tick = () => {
      if (task.running) return;
      this.run(task.id).catch(() => {
        // A scheduled task's failure is the task's business, as in production.
      });
    };
    task.timer = setInterval(tick, Math.max(task.periodMs, 100));
    task.timer.unref();
    tick();
  }

  start() {
    if (this.started) return;
    this.started = true;
    for (const task of this.tasks.values()) this.startTimer(task);
  }

  stop() {
    this.started = false;
    for (const task of this.tasks.values()) {
      clearInterval(task.timer);
      task.timer = undefined;
      task.abort.abort();
    }
  }

  factory() {
    return createServiceFactory({
      service: coreServices.scheduler,
      deps: { rootLifecycle: coreServices.rootLifecycle },
      factory: async ({ rootLifecycle }) => {
        rootLifecycle.addStartupHook(() => this.start());
        rootLifecycle.addShutdownHook(() => this.stop());
        return this;
      },
    });
  }
}
