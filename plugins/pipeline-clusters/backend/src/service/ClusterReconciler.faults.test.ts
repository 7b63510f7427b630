import { TestDatabases } from '@backstage/backend-test-utils';
import { KubeApi } from '@pipeline-portal/testing';
import { Knex } from 'knex';
import { playEngines } from '../__testUtils__/engines';
import {
  MANAGEMENT_NAMESPACE,
  startManagementCluster,
} from '../__testUtils__/fixtures';
import { ReconcilerOptions } from './ClusterReconciler';
import {
  passUntil,
  PortalReplica,
  portalReplica,
  requestCluster,
  specNamed,
} from './__testUtils__/reconcilerHarness';

jest.setTimeout(60_000);

/** A replica with back-off long enough to observe, short enough to wait out. */
const replica = (
  knex: Knex,
  api: KubeApi,
  options: Partial<ReconcilerOptions> = {},
  timeoutMs = 5_000,
) =>
  portalReplica(knex, api, {
    reconciler: { baseBackoffMs: 40, maxBackoffMs: 200, ...options },
    timeoutMs,
  });

const spec = specNamed('eks', 'faulty');

const seed = (r: PortalReplica) => requestCluster(r, spec);

const until = (r: PortalReplica, phase: 'Running' | 'Error') =>
  passUntil(r, spec.name, phase, 20_000);

function countClusters(api: KubeApi) {
  return api
    .list('cluster.x-k8s.io/v1beta2', 'Cluster', {
      namespace: MANAGEMENT_NAMESPACE,
    })
    .filter(c => c.metadata?.name === spec.name).length;
}

describe('ClusterReconciler under management API faults', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let api: KubeApi;
  let stopEngines: () => void;

  beforeEach(async () => {
    api = await startManagementCluster(['eks']);
    stopEngines = playEngines(api, { readyAfterMs: 10 });
  });
  afterEach(async () => {
    stopEngines();
    await api.close();
  });

  it('backs off on 500s, capped, then resumes to Running without duplicates', async () => {
    const r = await replica(await databases.init('SQLITE_3'), api);
    await seed(r);
    const fault = api.faults.add({ status: 500, times: 6 });

    const before = Date.now();
    await r.reconciler.runOnce();
    const failed = await r.store.get(spec.name);
    expect(failed?.phase).toBe('Pending');
    expect(failed?.failures).toBe(1);
    expect(failed!.reconcileAfter).toBeGreaterThan(before);
    // Back-off doubles but never exceeds the cap (plus jitter).
    for (let i = 0; i < 4; i++) {
      await new Promise(res => setTimeout(res, 250));
      await r.reconciler.runOnce();
    }
    const backedOff = await r.store.get(spec.name);
    expect(backedOff!.failures).toBeGreaterThanOrEqual(3);
    expect(backedOff!.reconcileAfter - Date.now()).toBeLessThanOrEqual(
      200 * 1.2,
    );

    await until(r, 'Running');
    expect(fault.hits).toBe(6);
    expect(countClusters(api)).toBe(1);
    expect((await r.store.get(spec.name))?.failures).toBe(0);
    expect(r.logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('retry'),
    );
  });

  it('waits at least Retry-After on 429', async () => {
    const r = await replica(await databases.init('SQLITE_3'), api, {
      maxBackoffMs: 5_000,
    });
    await seed(r);
    api.faults.add({ status: 429, retryAfterSeconds: 2, times: 1 });

    const before = Date.now();
    await r.reconciler.runOnce();
    const record = await r.store.get(spec.name);
    expect(record!.reconcileAfter - before).toBeGreaterThanOrEqual(2000 * 0.8);
    // Not due before then: a pass now does nothing.
    const pass = await r.reconciler.runOnce();
    expect(pass).toEqual({ reconciled: 0, failed: 0 });
  });

  it('treats a management API that does not answer in time as transient', async () => {
    // A timeout well above what a loaded machine adds to a request.
    const r = await replica(await databases.init('SQLITE_3'), api, {}, 1_500);
    await seed(r);
    const slow = api.faults.add({ latencyMs: 6_000, times: 2 });

    await r.reconciler.runOnce();
    const record = await r.store.get(spec.name);
    expect(record?.phase).toBe('Pending');
    expect(record?.failures).toBe(1);
    expect(r.logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('no answer within 1500 ms'),
    );
    await until(r, 'Running');
    expect(slow.hits).toBe(2);
    expect(countClusters(api)).toBe(1);
  });

  it('survives dropped connections', async () => {
    const r = await replica(await databases.init('SQLITE_3'), api);
    await seed(r);
    api.faults.add({ drop: true, times: 3 });
    await until(r, 'Running');
    expect(countClusters(api)).toBe(1);
  });

  it('resumes after a restart in the middle of provisioning', async () => {
    const knex = await databases.init('SQLITE_3');
    stopEngines();
    // Engines slow enough that the first replica stops mid-provisioning.
    stopEngines = playEngines(api, { readyAfterMs: 4_000 });
    const first = await replica(knex, api);
    await seed(first);
    await first.reconciler.runOnce();
    expect((await first.store.get(spec.name))?.phase).toBe('Provisioning');
    const writes = api.requests.count(r => r.method === 'PATCH');

    // A new process: new store, secret store and reconciler, same database.
    const second = await replica(knex, api);
    const running = await until(second, 'Running');
    expect(running.appliedRevision).toBe(running.revision);
    // Nothing was written again: the first replica's apply stands.
    expect(api.requests.count(r => r.method === 'PATCH')).toBe(writes);
    expect(countClusters(api)).toBe(1);
  });

  it('puts a cluster the engine fails in Error with the engine message', async () => {
    stopEngines();
    stopEngines = playEngines(api, {
      readyAfterMs: 10,
      failWith: { message: 'quota exceeded for m5.large in eu-west-1' },
    });
    const r = await replica(await databases.init('SQLITE_3'), api);
    await seed(r);
    const failed = await until(r, 'Error');
    expect(failed.message).toContain(
      'quota exceeded for m5.large in eu-west-1',
    );
  });

  it('turns provisioning that never finishes into Error instead of waiting forever', async () => {
    stopEngines();
    const r = await replica(await databases.init('SQLITE_3'), api, {
      provisioningTimeoutMs: 2_000,
    });
    await seed(r);
    await r.reconciler.runOnce();
    expect((await r.store.get(spec.name))?.phase).toBe('Provisioning');
    await new Promise(res => setTimeout(res, 2_100));
    const failed = await until(r, 'Error');
    expect(failed.message).toMatch(/provisioning did not finish within/);
  });
});
