import {
  coreServices,
  createServiceFactory,
  SchedulerService,
  SchedulerServiceTaskDescriptor,
  SchedulerServiceTaskFunction,
  SchedulerServiceTaskInvocationDefinition,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';

type Task = SchedulerServiceTaskScheduleDefinition &
  SchedulerServiceTaskInvocationDefinition;

/**
 * A scheduler that runs nothing by itself. The portal's background work
 * (the clusters and services reconcilers, the catalog providers reading
 * clusters, status reporting, housekeeping) would otherwise call the
 * Kubernetes and GitHub doubles at any moment, and the test asserts that a
 * refused request leaves their request logs untouched. A test runs a task
 * with `run(id)` when it needs one.
 */
export class OnDemandScheduler implements SchedulerService {
  private readonly tasks = new Map<string, SchedulerServiceTaskFunction>();

  async scheduleTask(task: Task): Promise<void> {
    this.tasks.set(task.id, task.fn);
  }

  createScheduledTaskRunner(schedule: SchedulerServiceTaskScheduleDefinition) {
    return {
      run: (task: SchedulerServiceTaskInvocationDefinition) =>
        this.scheduleTask({ ...schedule, ...task }),
    };
  }

  async getScheduledTasks(): Promise<SchedulerServiceTaskDescriptor[]> {
    return [...this.tasks.keys()].map(id => ({
      id,
      scope: 'global',
      settings: { version: 1 },
    }));
  }

  async triggerTask(id: string): Promise<void> {
    await this.run(id);
  }

  async cancelTask(): Promise<void> {}

  /** Runs a scheduled task once and waits for it. */
  async run(id: string): Promise<void> {
    const fn = this.tasks.get(id);
    if (!fn) {
      throw new Error(
        `task ${id} was never scheduled (scheduled: ${[
          ...this.tasks.keys(),
        ].join(', ')})`,
      );
    }
    await fn(new AbortController().signal);
  }

  factory() {
    return createServiceFactory({
      service: coreServices.scheduler,
      deps: {},
      factory: () => this,
    });
  }
}
