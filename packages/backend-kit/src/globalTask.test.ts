import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import {
  coreServices,
  createBackendModule,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  mockServices,
  startTestBackend,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { globalTaskScheduler, scheduleGlobalTask } from './globalTask';

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const TASKS = 'backstage_backend_tasks__tasks';

/** A plugin whose one global task runs `fn`. */
function pluginWithTask(fn: (signal: AbortSignal) => Promise<void>) {
  return createBackendPlugin({
    pluginId: 'handover',
    register(env) {
      env.registerInit({
        deps: {
          scheduler: coreServices.scheduler,
          rootLifecycle: coreServices.rootLifecycle,
          lifecycle: coreServices.lifecycle,
          database: coreServices.database,
          logger: coreServices.logger,
        },
        async init(deps) {
          scheduleGlobalTask(deps, {
            id: 'handover-pass',
            frequency: { minutes: 10 },
            timeout: { minutes: 2 },
            fn,
            shutdownGraceMs: 1000,
          });
        },
      });
    },
  });
}

describe.each(databases.eachSupportedId())(
  'scheduleGlobalTask on %p',
  (databaseId: TestDatabaseId) => {
    it('on shutdown aborts the running pass and hands the task back due now', async () => {
      const knex = await databases.init(databaseId);
      let started!: () => void;
      const running = new Promise<void>(r => (started = r));
      let aborted = false;
      const backend = await startTestBackend({
        features: [
          mockServices.database.factory({ knex }),
          schedulerServiceFactory,
          pluginWithTask(
            signal =>
              new Promise(resolve => {
                started();
                signal.addEventListener('abort', () => {
                  aborted = true;
                  resolve();
                });
              }),
          ),
        ],
      });
      await running;
      const [claimed] = await knex(TASKS).where({ id: 'handover-pass' });
      expect(claimed.current_run_ticket).toBeTruthy();

      const before = Date.now();
      await backend.stop();

      expect(aborted).toBe(true);
      const [row] = await knex(TASKS).where({ id: 'handover-pass' });
      expect(row.current_run_ticket).toBeNull();
      // Due now, not a cadence (ten minutes) later: another replica takes it
      // at its next poll.
      const next = new Date(row.next_run_start_at).getTime();
      expect(next).toBeLessThan(before + 60_000);
    });

    it('abandons a pass that ignores the abort after the grace, and still hands the task back', async () => {
      const knex = await databases.init(databaseId);
      let started!: () => void;
      const running = new Promise<void>(r => (started = r));
      const backend = await startTestBackend({
        features: [
          mockServices.database.factory({ knex }),
          schedulerServiceFactory,
          pluginWithTask(() => {
            started();
            return new Promise(() => {});
          }),
        ],
      });
      await running;
      const t0 = Date.now();
      await backend.stop();
      expect(Date.now() - t0).toBeLessThan(5_000);
      const [row] = await knex(TASKS).where({ id: 'handover-pass' });
      expect(row.current_run_ticket).toBeNull();
      expect(new Date(row.next_run_start_at).getTime()).toBeLessThan(
        Date.now() + 60_000,
      );
    });
  },
);

describe('globalTaskScheduler', () => {
  it('schedules nothing when the backend fails to start', async () => {
    const scheduler = mockServices.scheduler.mock();
    const plugin = createBackendPlugin({
      pluginId: 'early',
      register(env) {
        env.registerInit({
          deps: {
            rootLifecycle: coreServices.rootLifecycle,
            lifecycle: coreServices.lifecycle,
            database: coreServices.database,
            logger: coreServices.logger,
          },
          async init(deps) {
            await globalTaskScheduler({ ...deps, scheduler }).scheduleTask({
              id: 'early-pass',
              frequency: { seconds: 1 },
              timeout: { seconds: 10 },
              fn: async () => {},
            });
          },
        });
      },
    });
    const broken = createBackendModule({
      pluginId: 'early',
      moduleId: 'broken',
      register(env) {
        env.registerInit({
          deps: {},
          async init() {
            throw new Error('broken module');
          },
        });
      },
    });
    await expect(
      startTestBackend({ features: [plugin, broken] }),
    ).rejects.toThrow(/broken module/);
    expect(scheduler.scheduleTask).not.toHaveBeenCalled();
  });

  it('schedules each task in global scope once the backend is ready', async () => {
    const scheduler = mockServices.scheduler.mock();
    const plugin = createBackendPlugin({
      pluginId: 'ready',
      register(env) {
        env.registerInit({
          deps: {
            rootLifecycle: coreServices.rootLifecycle,
            lifecycle: coreServices.lifecycle,
            database: coreServices.database,
            logger: coreServices.logger,
          },
          async init(deps) {
            await globalTaskScheduler({ ...deps, scheduler }).scheduleTask({
              id: 'ready-pass',
              scope: 'local',
              frequency: { seconds: 1 },
              timeout: { seconds: 10 },
              fn: async () => {},
            });
            expect(scheduler.scheduleTask).not.toHaveBeenCalled();
          },
        });
      },
    });
    const backend = await startTestBackend({ features: [plugin] });
    expect(scheduler.scheduleTask).toHaveBeenCalledWith(
      expect.objectContaining({ id: 'ready-pass', scope: 'global' }),
    );
    await backend.stop();
  });
});
