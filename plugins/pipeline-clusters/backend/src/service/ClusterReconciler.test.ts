import { TestDatabases } from '@backstage/backend-test-utils';
import {
  PROVISIONED_DISTRIBUTIONS,
  ProvisionedDistribution,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { KubeApi } from '@pipeline-portal/testing';
import { playEngines } from '../__testUtils__/engines';
import {
  MANAGEMENT_NAMESPACE,
  startManagementCluster,
} from '../__testUtils__/fixtures';
import {
  passUntil,
  portalReplica,
  requestCluster,
  specNamed,
} from './__testUtils__/reconcilerHarness';

jest.setTimeout(60_000);

describe('ClusterReconciler', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
  let api: KubeApi;
  let stopEngines: () => void;

  beforeAll(async () => {
    api = await startManagementCluster();
    stopEngines = playEngines(api, { readyAfterMs: 10 });
  });
  afterAll(async () => {
    stopEngines();
    await api.close();
  });

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    it('starts no cluster once its pass is aborted (a replica stopping), and the next pass takes them up', async () => {
      const r = await portalReplica(await databases.init(databaseId), api);
      const name = `abort-${databaseId === 'SQLITE_3' ? 'sq' : 'pg'}`;
      await requestCluster(r, specNamed('eks', name));
      const before = api.requests.count();
      const stopping = new AbortController();
      stopping.abort();
      await expect(r.reconciler.runOnce(stopping.signal)).resolves.toEqual({
        reconciled: 0,
        failed: 0,
      });
      expect(api.requests.count()).toBe(before);
      const next = await r.reconciler.runOnce();
      expect(next.reconciled).toBeGreaterThan(0);
      expect(api.requests.count()).toBeGreaterThan(before);
    });

    it("keeps a cluster Updating until a removed pool's objects are gone", async () => {
      const r = await portalReplica(await databases.init(databaseId), api);
      const name = `prune-${databaseId === 'SQLITE_3' ? 'sq' : 'pg'}`;
      const spec = specNamed('eks', name);
      await requestCluster(r, spec);
      const running = await passUntil(r, name, 'Running');
      const gpuPool = {
        apiVersion: 'cluster.x-k8s.io/v1beta2',
        kind: 'MachinePool',
        name: `${name}-gpu`,
        namespace: MANAGEMENT_NAMESPACE,
      };
      // Someone else's finalizer holds the MachinePool while nodes drain.
      const held = api.get(gpuPool)!;
      api.patch(gpuPool, {
        metadata: {
          finalizers: [
            ...(held.metadata?.finalizers ?? []),
            'example.com/drain',
          ],
        },
      });

      await r.service.update(name, {
        revision: running.revision,
        nodePools: spec.nodePools.filter(p => p.name !== 'gpu'),
      });
      for (let pass = 0; pass < 4; pass++) await r.reconciler.runOnce();
      const waiting = await r.store.get(name);
      expect(waiting).toMatchObject({
        phase: 'Updating',
        message: `waiting for MachinePool ${name}-gpu to go`,
      });
      expect(api.get(gpuPool)?.metadata?.deletionTimestamp).toBeDefined();
      // The provider's pool went at once; the general pool stays.
      expect(
        api.get({
          apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
          kind: 'AWSManagedMachinePool',
          name: `${name}-gpu`,
          namespace: MANAGEMENT_NAMESPACE,
        }),
      ).toBeUndefined();
      expect(api.get({ ...gpuPool, name: `${name}-general` })).toBeDefined();

      api.patch(gpuPool, {
        metadata: {
          finalizers: api
            .get(gpuPool)!
            .metadata!.finalizers!.filter(f => f !== 'example.com/drain'),
        },
      });
      await passUntil(r, name, 'Running');
      expect(api.get(gpuPool)).toBeUndefined();
      const messages = (await r.store.history(name)).map(h => h.message);
      expect(messages).toEqual(
        expect.arrayContaining([
          expect.stringContaining(
            `deleted MachinePool ${name}-gpu, AWSManagedMachinePool ${name}-gpu`,
          ),
        ]),
      );
    });

    it.each(PROVISIONED_DISTRIBUTIONS.map(d => [d]))(
      'takes a %s cluster through create, scale, upgrade and delete',
      async (distribution: ProvisionedDistribution) => {
        const r = await portalReplica(await databases.init(databaseId), api);
        const { store, secrets, service } = r;
        const name = `${distribution}-${
          databaseId === 'SQLITE_3' ? 'sq' : 'pg'
        }`;
        const spec = specNamed(distribution, name);

        const { created } = await requestCluster(r, spec);
        expect(created).toBe(true);
        // Same request again: the same cluster, not a second one.
        expect((await service.create(spec)).created).toBe(false);

        const running = await passUntil(r, name, 'Running');
        expect(running.observed.apiServer).toBe(api.url);
        expect(running.observed.kubernetesVersion).toBe('1.32');
        const kubeconfig = await service.kubeconfig(name);
        expect(kubeconfig).toContain(api.url);

        // What the engine did to the objects is not drift: a resync reads
        // and writes nothing.
        const writes = api.requests.count(q => q.method !== 'GET');
        await r.reconciler.runOnce();
        expect(api.requests.count(q => q.method !== 'GET')).toBe(writes);
        expect(await store.get(name)).toMatchObject({
          phase: 'Running',
          revision: running.revision,
        });

        const scaled = await service.update(name, {
          revision: running.revision,
          nodePools: spec.nodePools.map(p =>
            p.name === 'general' ? { ...p, desiredSize: 5 } : p,
          ),
        });
        expect(scaled.phase).toBe('Updating');
        const afterScale = await passUntil(r, name, 'Running');
        expect(afterScale.spec?.nodePools[0].desiredSize).toBe(5);

        const upgraded = await service.update(name, {
          revision: afterScale.revision,
          kubernetesVersion: '1.33',
        });
        expect(upgraded.spec?.kubernetesVersion).toBe('1.33');
        const afterUpgrade = await passUntil(r, name, 'Running');
        expect(afterUpgrade.observed.kubernetesVersion).toBe('1.33');

        await service.delete(name);
        await passUntil(r, name, 'Deleted');
        const left = await api.list('v1', 'Secret', {
          namespace: MANAGEMENT_NAMESPACE,
        });
        expect(
          left.filter(s => s.metadata?.name?.startsWith(`${name}-`)),
        ).toEqual([]);
        expect(
          await secrets.get({
            owner: spec.owner,
            name: `cluster-${name}-kubeconfig`,
          }),
        ).toBeUndefined();

        const history = await store.history(name);
        const phases = history.map(h => h.phase);
        expect(phases[0]).toBe('Pending');
        expect(phases).toEqual(
          expect.arrayContaining([
            'Provisioning',
            'Running',
            'Updating',
            'Deleting',
          ]),
        );
        expect(phases[phases.length - 1]).toBe('Deleted');
        // Nobody touched the objects: no correction on the way.
        expect(history.map(h => h.message ?? '').join('\n')).not.toContain(
          'drift',
        );
      },
    );
  });
});
