import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import {
  KubeApi,
  playTekton,
  startKubeApi,
  TEKTON_CRDS,
  TektonDouble,
} from '@pipeline-portal/testing';
import {
  readHousekeepingSettings,
  RunHousekeeper,
  scheduleHousekeeping,
} from './index';

jest.setTimeout(60_000);

const DAY = 24 * 60 * 60 * 1000;
const T0 = Date.parse('2026-12-01T12:00:00Z');

const pipelineRun = (
  name: string,
  pipeline: string,
  component = 'orders',
  managed = true,
) => ({
  apiVersion: 'tekton.dev/v1',
  kind: 'PipelineRun',
  metadata: {
    name,
    namespace: 'payments',
    labels: {
      ...(managed ? { 'app.kubernetes.io/managed-by': 'pipeline-portal' } : {}),
      'pipeline-portal.io/pipeline': pipeline,
      'backstage.io/kubernetes-id': component,
    },
  },
  spec: { pipelineRef: { name: pipeline } },
});

/** Gives a run a finished status that started `minutesAgo` before T0. */
function finish(api: KubeApi, run: object, minutesAgo: number, daysAgo = 0) {
  const at = (ms: number) => new Date(ms).toISOString();
  const start = T0 - daysAgo * DAY - minutesAgo * 60_000;
  api.patchStatus(run as any, {
    startTime: at(start),
    completionTime: at(start + 30_000),
    conditions: [{ type: 'Succeeded', status: 'True', reason: 'Succeeded' }],
  });
}

const names = (api: KubeApi) =>
  api
    .list('tekton.dev/v1', 'PipelineRun', { namespace: 'payments' })
    .map(o => o.metadata!.name!)
    .sort();

describe('RunHousekeeper', () => {
  let api: KubeApi;
  let tekton: TektonDouble;
  let custom: CustomObjectsApi;
  const logger = mockServices.logger.mock();

  beforeEach(async () => {
    api = await startKubeApi({ crds: TEKTON_CRDS, namespaces: ['payments'] });
    tekton = playTekton(api, { startAfterMs: 1, finishAfterMs: 1 });
    const kc = new KubeConfig();
    kc.loadFromOptions(api.kubeConfig);
    custom = kc.makeApiClient(CustomObjectsApi);
  });
  afterEach(async () => {
    tekton.stop();
    await api.close();
  });

  const housekeeper = (options: { keepPerPipeline?: number } = {}) => {
    const forgotten: string[] = [];
    const h = new RunHousekeeper({
      customObjects: async cluster => {
        if (cluster !== 'payments-prod')
          throw new Error(`no cluster ${cluster}`);
        return custom;
      },
      logger,
      now: () => T0,
      keepPerPipeline: options.keepPerPipeline,
      onDeleted: async run => {
        forgotten.push(`${run.cluster}/${run.namespace}/${run.name}`);
      },
    });
    return { h, forgotten };
  };

  it('deletes finished runs older than the age (7 days by default), and only the portal’s', async () => {
    const old = pipelineRun('orders-ci-old', 'ci');
    const recent = pipelineRun('orders-ci-recent', 'ci');
    const handMade = pipelineRun('hand-made', 'ci', 'orders', false);
    for (const r of [old, recent, handMade]) api.create(r);
    finish(api, old, 0, 8);
    finish(api, recent, 0, 6);
    finish(api, handMade, 0, 30);

    const { h, forgotten } = housekeeper();
    expect(h.maxAgeMs).toBe(7 * DAY);
    const result = await h.run([
      { cluster: 'payments-prod', namespace: 'payments' },
    ]);

    expect(result.deleted).toEqual([
      {
        cluster: 'payments-prod',
        namespace: 'payments',
        name: 'orders-ci-old',
        pipeline: 'ci',
        why: 'age',
      },
    ]);
    expect(forgotten).toEqual(['payments-prod/payments/orders-ci-old']);
    expect(names(api)).toEqual(['hand-made', 'orders-ci-recent']);
  });

  it('keeps the newest N per component and pipeline, and never a run still going', async () => {
    const release = tekton.holdRuns({ name: 'orders-ci-running' });
    // The oldest run, still Running (held by the Tekton controller).
    const running = pipelineRun('orders-ci-running', 'ci');
    api.create(running);
    await waitFor(
      () =>
        (api.get(running) as any)?.status?.conditions?.[0]?.status ===
        'Unknown',
    );
    api.patchStatus(running, {
      startTime: new Date(T0 - 9 * DAY).toISOString(),
    });

    // Created oldest first, so creation and start times agree on the order.
    for (let i = 5; i >= 1; i--) {
      const r = pipelineRun(`orders-ci-${i}`, 'ci');
      api.create(r);
      finish(api, r, 10 * i); // orders-ci-1 is the newest
    }
    const build = pipelineRun('orders-build-1', 'build');
    const other = pipelineRun('billing-ci-1', 'ci', 'billing');
    api.create(build);
    api.create(other);
    finish(api, build, 100);
    finish(api, other, 100);
    const { h } = housekeeper({ keepPerPipeline: 3 });
    const result = await h.run([
      { cluster: 'payments-prod', namespace: 'payments' },
      { cluster: 'payments-prod', namespace: 'payments' },
    ]);

    // ci-1..3 are the newest three; the running run is older and beyond
    // the age, yet kept while it runs.
    expect(result.deleted.map(d => `${d.name}:${d.why}`).sort()).toEqual([
      'orders-ci-4:count',
      'orders-ci-5:count',
    ]);
    expect(names(api)).toEqual([
      'billing-ci-1',
      'orders-build-1',
      'orders-ci-1',
      'orders-ci-2',
      'orders-ci-3',
      'orders-ci-running',
    ]);
    release();
  });

  it('goes on with the other namespaces when a cluster cannot be reached or listed', async () => {
    const old = pipelineRun('orders-ci-old', 'ci');
    api.create(old);
    finish(api, old, 0, 10);
    const { h } = housekeeper();
    const unlisted = api.faults.add({
      method: 'GET',
      path: /\/namespaces\/payments\/pipelineruns/,
      status: 503,
      times: 1,
    });

    const first = await h.run([
      { cluster: 'gone', namespace: 'payments' },
      { cluster: 'payments-prod', namespace: 'payments' },
    ]);
    expect(first.failed.map(f => f.cluster).sort()).toEqual([
      'gone',
      'payments-prod',
    ]);
    expect(first.failed.find(f => f.cluster === 'gone')!.error).toBe(
      'no cluster gone',
    );
    expect(names(api)).toEqual(['orders-ci-old']);
    expect(unlisted.hits).toBe(1);

    const second = await h.run([
      { cluster: 'payments-prod', namespace: 'payments' },
    ]);
    expect(second.failed).toEqual([]);
    expect(names(api)).toEqual([]);
  });
});

describe('housekeeping settings and schedule', () => {
  it('defaults to 7 days and 20 runs per pipeline, hourly', () => {
    expect(readHousekeepingSettings(new ConfigReader({}))).toEqual({
      maxAgeDays: 7,
      deliveryMaxAgeDays: 14,
      keepPerPipeline: 20,
      intervalMinutes: 60,
    });
    const config = new ConfigReader({
      pipelinePortal: {
        spotguides: {
          housekeeping: {
            maxAgeDays: 1.5,
            keepPerPipeline: 5,
            intervalMinutes: 10,
          },
        },
      },
    });
    expect(readHousekeepingSettings(config)).toEqual({
      maxAgeDays: 1.5,
      deliveryMaxAgeDays: 14,
      keepPerPipeline: 5,
      intervalMinutes: 10,
    });
  });

  it('refuses a count that is not a positive integer', () => {
    const config = new ConfigReader({
      pipelinePortal: { spotguides: { housekeeping: { keepPerPipeline: 0 } } },
    });
    expect(() => readHousekeepingSettings(config)).toThrow(
      'pipelinePortal.spotguides.housekeeping.keepPerPipeline must be a positive integer, got 0',
    );
  });

  it('schedules one global task that cleans the namespaces it is given, then prunes old deliveries', async () => {
    const scheduler = mockServices.scheduler.mock();
    const pruned: Date[] = [];
    const targets = jest.fn(async () => []);
    const h = await scheduleHousekeeping({
      scheduler,
      config: new ConfigReader({
        pipelinePortal: {
          spotguides: {
            housekeeping: { maxAgeDays: 2 },
            deliveries: { maxAgeDays: 3 },
          },
        },
      }),
      logger: mockServices.logger.mock(),
      customObjects: async () => {
        throw new Error('not used');
      },
      targets,
      pruneDeliveries: async before => {
        pruned.push(before);
        return 0;
      },
    });
    expect(h.maxAgeMs).toBe(2 * DAY);
    expect(scheduler.scheduleTask).toHaveBeenCalledWith(
      expect.objectContaining({
        id: 'spotguides-housekeeping',
        scope: 'global',
        frequency: { minutes: 60 },
      }),
    );
    const { fn } = (scheduler.scheduleTask as jest.Mock).mock.calls[0][0];
    const started = Date.now();
    await fn(new AbortController().signal);
    expect(targets).toHaveBeenCalledTimes(1);
    expect(pruned).toHaveLength(1);
    // The cut-off is three days before the pass.
    expect(pruned[0].getTime()).toBeGreaterThanOrEqual(started - 3 * DAY);
    expect(pruned[0].getTime()).toBeLessThanOrEqual(Date.now() - 3 * DAY);
  });
});

async function waitFor(condition: () => boolean) {
  for (let i = 0; i < 2000 && !condition(); i++) {
    await new Promise(r => setTimeout(r, 10));
  }
  if (!condition()) throw new Error('condition not met in time');
}
