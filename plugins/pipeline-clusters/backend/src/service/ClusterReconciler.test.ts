import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import {
  PROVISIONED_DISTRIBUTIONS,
  ProvisionedDistribution,
  CREDENTIAL_KIND_OF,
  DEFAULT_OFFERED_VERSIONS,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { KubeApi } from '@pipeline-portal/testing';
import { playEngines } from '../__testUtils__/engines';
import {
  MANAGEMENT_NAMESPACE,
  startManagementCluster,
  testConfig,
} from '../__testUtils__/fixtures';
import {
  CREDENTIALS,
  sampleSpec,
} from '../distributions/__testUtils__/harness';
import { ManagementCluster } from '../management/ManagementCluster';
import { DatabaseSecretStore } from '../secrets/DatabaseSecretStore';
import { ClusterStore } from '../store/ClusterStore';
import { ClusterReconciler } from './ClusterReconciler';
import { ClusterService } from './ClusterService';

jest.setTimeout(60_000);

async function setup(
  databases: TestDatabases,
  databaseId: any,
  api: KubeApi,
  reconcilerOptions = {},
) {
  const knex = await databases.init(databaseId);
  const database = mockServices.database({ knex });
  const store = await ClusterStore.create({ database });
  const secrets = await DatabaseSecretStore.create({
    database,
    config: testConfig(),
  });
  const management = new ManagementCluster({
    url: api.url,
    caData: api.caData,
    token: api.token,
    namespace: MANAGEMENT_NAMESPACE,
    timeoutMs: 10_000,
  });
  const logger = mockServices.logger.mock();
  const service = new ClusterService({
    store,
    secrets,
    management,
    offeredVersions: DEFAULT_OFFERED_VERSIONS,
    importPolicy: { allowedCidrs: [], probeTimeoutMs: 1000 },
    logger,
  });
  const reconciler = new ClusterReconciler({
    store,
    secrets,
    management,
    logger,
    baseBackoffMs: 10,
    maxBackoffMs: 50,
    resyncMs: 0,
    ...reconcilerOptions,
  });
  return { store, secrets, service, reconciler, management, logger };
}

/** Runs reconcile passes until the cluster reaches the phase (or fails the test). */
async function passUntil(
  reconciler: ClusterReconciler,
  store: ClusterStore,
  name: string,
  phase: string,
  withinMs = 45_000,
) {
  for (const end = Date.now() + withinMs; Date.now() < end; ) {
    await reconciler.runOnce();
    const record = await store.get(name);
    if (record?.phase === phase) return record;
    await new Promise(r => setTimeout(r, 25));
  }
  const record = await store.get(name);
  throw new Error(
    `cluster ${name} stuck in ${record?.phase}: ${record?.message}`,
  );
}

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
    it.each(PROVISIONED_DISTRIBUTIONS.map(d => [d]))(
      'takes a %s cluster through create, scale, upgrade and delete',
      async (distribution: ProvisionedDistribution) => {
        const { store, secrets, service, reconciler } = await setup(
          databases,
          databaseId,
          api,
        );
        const name = `${distribution}-${
          databaseId === 'SQLITE_3' ? 'sq' : 'pg'
        }`;
        const spec = { ...sampleSpec(distribution), name };
        await secrets.put({
          owner: spec.owner,
          name: spec.credential,
          kind: CREDENTIAL_KIND_OF[distribution],
          value: CREDENTIALS[distribution],
        });

        const { created } = await service.create(spec);
        expect(created).toBe(true);
        // Same request again: the same cluster, not a second one.
        expect((await service.create(spec)).created).toBe(false);

        const running = await passUntil(reconciler, store, name, 'Running');
        expect(running.observed.apiServer).toBe(api.url);
        expect(running.observed.kubernetesVersion).toBe('1.32');
        const kubeconfig = await service.kubeconfig(name);
        expect(kubeconfig).toContain(api.url);

        const scaled = await service.update(name, {
          revision: running.revision,
          nodePools: spec.nodePools.map(p =>
            p.name === 'general' ? { ...p, desiredSize: 5 } : p,
          ),
        });
        expect(scaled.phase).toBe('Updating');
        const afterScale = await passUntil(reconciler, store, name, 'Running');
        expect(afterScale.spec?.nodePools[0].desiredSize).toBe(5);

        const upgraded = await service.update(name, {
          revision: afterScale.revision,
          kubernetesVersion: '1.33',
        });
        expect(upgraded.spec?.kubernetesVersion).toBe('1.33');
        const afterUpgrade = await passUntil(
          reconciler,
          store,
          name,
          'Running',
        );
        expect(afterUpgrade.observed.kubernetesVersion).toBe('1.33');

        await service.delete(name);
        await passUntil(reconciler, store, name, 'Deleted');
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

        const phases = (await store.history(name)).map(h => h.phase);
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
      },
    );
  });
});
