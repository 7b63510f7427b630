import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import {
  KubeConfig,
  KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
} from '@kubernetes/client-node';
import { ProvisionedDistribution } from '@pipeline-portal/plugin-pipeline-clusters-common';
import { KubeApi, KubeObject } from '@pipeline-portal/testing';
import { playEngines } from '../__testUtils__/engines';
import {
  MANAGEMENT_NAMESPACE,
  startManagementCluster,
} from '../__testUtils__/fixtures';
import { FIELD_MANAGER } from '../management/ManagementCluster';
import {
  passUntil,
  PortalReplica,
  portalReplica,
  requestCluster,
  specNamed,
} from './__testUtils__/reconcilerHarness';

jest.setTimeout(60_000);

const CAPI = 'cluster.x-k8s.io/v1beta2';
const CAPA_INFRA = 'infrastructure.cluster.x-k8s.io/v1beta2';
const CAPA_CONTROLPLANE = 'controlplane.cluster.x-k8s.io/v1beta2';
const CAPZ = 'infrastructure.cluster.x-k8s.io/v1beta1';
const ACK = 'ack.alibabacloud.crossplane.io/v1alpha1';
const DOKS = 'kubernetes.do.crossplane.io/v1alpha1';

interface Ref {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** A namespaced engine object of a cluster. */
const inNamespace = (apiVersion: string, kind: string, name: string): Ref => ({
  apiVersion,
  kind,
  name,
  namespace: MANAGEMENT_NAMESPACE,
});
/** A Crossplane managed resource: cluster-scoped, the namespace in its name. */
const clusterScoped = (apiVersion: string, kind: string, name: string) => ({
  apiVersion,
  kind,
  name: `${MANAGEMENT_NAMESPACE}-${name}`,
});

type Obj = KubeObject & { spec?: any };

describe('ClusterReconciler corrects drift', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
  let api: KubeApi;
  let objects: KubernetesObjectApi;
  let stopEngines: () => void;

  beforeAll(async () => {
    api = await startManagementCluster();
    stopEngines = playEngines(api, { readyAfterMs: 10 });
    const kc = new KubeConfig();
    kc.loadFromOptions(api.kubeConfig);
    objects = KubernetesObjectApi.makeApiClient(kc);
  });
  afterAll(async () => {
    stopEngines();
    await api.close();
  });

  const live = (ref: Ref) => api.get(ref) as Obj;

  /**
   * Someone else edits an object over the API (a merge patch, as kubectl
   * edit sends) under their own field manager; the engines react.
   */
  async function edit(ref: Ref, manager: string, change: (o: Obj) => void) {
    const next = structuredClone(live(ref));
    change(next);
    await objects.patch(
      {
        apiVersion: ref.apiVersion,
        kind: ref.kind,
        metadata: {
          name: ref.name,
          namespace: ref.namespace,
          labels: next.metadata?.labels,
          annotations: next.metadata?.annotations,
        },
        spec: next.spec,
      } as KubernetesObject,
      undefined,
      undefined,
      manager,
      undefined,
      PatchStrategy.MergePatch,
    );
    await api.settle();
  }

  /** Fields (FieldsV1 paths under `f:spec`) a manager owns in an object. */
  function ownedSpec(ref: Ref, manager: string): string[] {
    const entries = (live(ref).metadata?.managedFields ?? []).filter(
      e => e.manager === manager,
    );
    return entries.flatMap(e =>
      Object.keys((e.fieldsV1 as any)?.['f:spec'] ?? {}),
    );
  }

  /** One pass and the requests it sent to the management cluster. */
  async function resync(r: PortalReplica) {
    const since = Date.now();
    await r.reconciler.runOnce();
    return api.requests.list(q => q.timestamp >= since && !q.watch);
  }

  async function runningCluster(
    databaseId: TestDatabaseId,
    distribution: ProvisionedDistribution,
    suffix: string,
  ) {
    const r = await portalReplica(await databases.init(databaseId), api);
    const name = `${distribution}-${suffix}-${
      databaseId === 'SQLITE_3' ? 'sq' : 'pg'
    }`;
    await requestCluster(r, specNamed(distribution, name));
    await passUntil(r, name, 'Running');
    return { r, name };
  }

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    it('puts back rendered fields someone else changed and owns them again', async () => {
      const { r, name } = await runningCluster(databaseId, 'eks', 'edit');
      const gpu = inNamespace(CAPI, 'MachinePool', `${name}-gpu`);
      const controlPlane = inNamespace(
        CAPA_CONTROLPLANE,
        'AWSManagedControlPlane',
        `${name}-control-plane`,
      );
      const general = inNamespace(
        CAPA_INFRA,
        'AWSManagedMachinePool',
        `${name}-general`,
      );
      await edit(gpu, 'kubectl-edit', o => {
        o.spec.replicas = 4;
      });
      await edit(controlPlane, 'kubectl-edit', o => {
        o.spec.version = 'v1.33';
      });
      await edit(general, 'kubectl-edit', o => {
        o.metadata!.labels!['pipeline-portal.io/owner'] = 'group.default.other';
      });
      expect(ownedSpec(gpu, 'kubectl-edit')).toContain('f:replicas');

      const requests = await resync(r);

      // One forced apply per drifted object, as the portal.
      const writes = requests.filter(q => q.method !== 'GET');
      expect(writes.map(q => [q.method, q.path.split('/').pop()])).toEqual([
        ['PATCH', `${name}-control-plane`],
        ['PATCH', `${name}-general`],
        ['PATCH', `${name}-gpu`],
      ]);
      for (const q of writes) {
        expect(q.query).toMatchObject({
          fieldManager: FIELD_MANAGER,
          force: 'true',
        });
      }
      expect(live(gpu).spec.replicas).toBe(1);
      expect(live(controlPlane).spec.version).toBe('v1.32');
      expect(live(general).metadata?.labels).toMatchObject({
        'pipeline-portal.io/owner': 'group.default.payments',
      });
      expect(ownedSpec(gpu, FIELD_MANAGER)).toContain('f:replicas');
      expect(ownedSpec(gpu, 'kubectl-edit')).not.toContain('f:replicas');
      expect(ownedSpec(controlPlane, 'kubectl-edit')).not.toContain(
        'f:version',
      );

      // The engine works towards the corrected objects: Updating, and the
      // history says what was put back.
      const record = await r.store.get(name);
      expect(record?.phase).toBe('Updating');
      const last = (await r.store.history(name)).pop();
      expect(last).toMatchObject({ phase: 'Updating' });
      expect(last?.message).toMatch(/^drift corrected: /);
      expect(last?.message).toContain(
        `AWSManagedControlPlane ${name}-control-plane spec.version v1.33 -> v1.32`,
      );
      expect(last?.message).toContain(
        `AWSManagedMachinePool ${name}-general metadata.labels["pipeline-portal.io/owner"] group.default.other -> group.default.payments`,
      );
      expect(last?.message).toContain(
        `MachinePool ${name}-gpu spec.replicas 4 -> 1`,
      );

      const settled = await passUntil(r, name, 'Running');
      expect(settled.observed.kubernetesVersion).toBe('1.32');
      // Settled: the next resync writes nothing.
      const again = await resync(r);
      expect(again.filter(q => q.method !== 'GET')).toEqual([]);
    });

    it('recreates a rendered object someone deleted', async () => {
      const { r, name } = await runningCluster(databaseId, 'eks', 'gone');
      const gpu = inNamespace(CAPI, 'MachinePool', `${name}-gpu`);
      const uid = live(gpu).metadata?.uid;
      await objects.delete({
        apiVersion: gpu.apiVersion,
        kind: gpu.kind,
        metadata: { name: gpu.name, namespace: gpu.namespace },
      });

      await r.reconciler.runOnce();
      const first = await r.store.get(name);
      // Never Deleting: the user did not ask for it.
      expect(first?.phase).toBe('Updating');
      expect(first?.message).toMatch(
        new RegExp(
          `MachinePool ${name}-gpu (deleted outside the portal|recreated)`,
        ),
      );

      const running = await passUntil(r, name, 'Running');
      expect(running.observed.nodeCount).toBe(4);
      const recreated = live(gpu);
      expect(recreated?.metadata?.uid).toBeDefined();
      expect(recreated.metadata?.uid).not.toBe(uid);
      expect(recreated.spec.replicas).toBe(1);
      const messages = (await r.store.history(name)).map(h => h.message);
      expect(messages).toContainEqual(
        expect.stringMatching(
          new RegExp(`^drift corrected: .*MachinePool ${name}-gpu recreated`),
        ),
      );
    });

    it('leaves what the engine owns alone: no drift, no write', async () => {
      const { r, name } = await runningCluster(databaseId, 'eks', 'auto');
      const general = inNamespace(CAPI, 'MachinePool', `${name}-general`);
      const historyBefore = await r.store.history(name);
      // The cluster-autoscaler scales the autoscaled pool (2-6) within its
      // bounds, a controller annotates it and the engine reports status.
      await edit(general, 'cluster-autoscaler', o => {
        o.spec.replicas = 5;
        o.metadata!.annotations = {
          ...o.metadata?.annotations,
          'cluster.x-k8s.io/replicas-managed-by': 'cluster-autoscaler',
        };
      });
      expect(live(general).status).toMatchObject({ replicas: 5 });

      const requests = await resync(r);

      // The steady pass as before: the 7 objects and the kubeconfig, read.
      expect(requests.map(q => q.method)).toEqual(Array(8).fill('GET'));
      expect(await r.store.get(name)).toMatchObject({
        phase: 'Running',
        observed: { nodeCount: 6 },
      });
      expect(await r.store.history(name)).toEqual(historyBefore);
      expect(live(general).spec.replicas).toBe(5);

      // A real change on the same object is put back without undoing the
      // autoscaler, and a label is nothing for the engine: still Running.
      await edit(general, 'kubectl-edit', o => {
        o.metadata!.labels!['pipeline-portal.io/cluster'] = 'someone-else';
      });
      const fix = await resync(r);
      expect(fix.filter(q => q.method !== 'GET')).toHaveLength(1);
      expect(live(general).metadata?.labels).toMatchObject({
        'pipeline-portal.io/cluster': name,
      });
      expect(live(general).spec.replicas).toBe(5);
      expect(live(general).metadata?.annotations).toMatchObject({
        'cluster.x-k8s.io/replicas-managed-by': 'cluster-autoscaler',
      });
      const record = await r.store.get(name);
      expect(record?.phase).toBe('Running');
      expect(record?.message).toBe(
        `drift corrected: MachinePool ${name}-general metadata.labels["pipeline-portal.io/cluster"] someone-else -> ${name}`,
      );
    });

    it.each([
      {
        distribution: 'aks' as const,
        ref: (name: string) =>
          inNamespace(CAPZ, 'AzureASOManagedMachinePool', `${name}-gpu`),
        change: (o: Obj) => {
          o.spec.resources[0].spec.vmSize = 'Standard_D2s_v5';
        },
        reads: (o: Obj) => o.spec.resources[0].spec.vmSize,
        expected: 'Standard_NC6s_v3',
        message: (name: string) =>
          `AzureASOManagedMachinePool ${name}-gpu spec.resources[0].spec.vmSize Standard_D2s_v5 -> Standard_NC6s_v3`,
      },
      {
        distribution: 'ack' as const,
        ref: (name: string) =>
          clusterScoped(ACK, 'KubernetesNodePool', `${name}-gpu`),
        change: (o: Obj) => {
          o.spec.forProvider.desiredSize = '3';
        },
        reads: (o: Obj) => o.spec.forProvider.desiredSize,
        expected: '1',
        message: (name: string) =>
          `KubernetesNodePool ${MANAGEMENT_NAMESPACE}-${name}-gpu spec.forProvider.desiredSize 3 -> 1`,
      },
      {
        distribution: 'doks' as const,
        ref: (name: string) => clusterScoped(DOKS, 'DOKubernetesCluster', name),
        change: (o: Obj) => {
          o.spec.forProvider.nodePools[1].count = 2;
        },
        reads: (o: Obj) => o.spec.forProvider.nodePools[1].count,
        expected: 1,
        message: (name: string) =>
          `DOKubernetesCluster ${MANAGEMENT_NAMESPACE}-${name} spec.forProvider.nodePools[1].count 2 -> 1`,
      },
    ])(
      'puts back a node pool edited on $distribution',
      async ({ distribution, ref, change, reads, expected, message }) => {
        const { r, name } = await runningCluster(
          databaseId,
          distribution,
          'pool',
        );
        await edit(ref(name), 'kubectl-edit', change);
        expect(reads(live(ref(name)))).not.toEqual(expected);

        const requests = await resync(r);

        expect(requests.filter(q => q.method !== 'GET')).toHaveLength(1);
        expect(reads(live(ref(name)))).toEqual(expected);
        const record = await r.store.get(name);
        expect(record?.phase).toBe('Updating');
        expect(record?.message).toBe(`drift corrected: ${message(name)}`);
        await passUntil(r, name, 'Running');
      },
    );
  });
});
