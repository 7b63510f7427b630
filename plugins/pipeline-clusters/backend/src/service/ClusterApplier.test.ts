import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type { KubernetesObject } from '@kubernetes/client-node';
import { detectDrift, RateLimiter } from '@pipeline-portal/backend-kit';
import {
  ClusterPhase,
  ClusterSpec,
  CREDENTIAL_KIND_OF,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { KubeApi } from '@pipeline-portal/testing';
import {
  MANAGEMENT_NAMESPACE,
  startManagementCluster,
  testConfig,
} from '../__testUtils__/fixtures';
import { distributions } from '../distributions';
import {
  CREDENTIALS,
  sampleSpec,
} from '../distributions/__testUtils__/harness';
import { CLUSTER_LABEL } from '../distributions/labels';
import { ManagementCluster } from '../management/ManagementCluster';
import { DatabaseSecretStore } from '../secrets/DatabaseSecretStore';
import { ClusterRecord } from '../store/ClusterStore';
import { ClusterApplier, describeObjects } from './ClusterApplier';
import { ClusterPlan, planCluster } from './clusterPlan';

jest.setTimeout(30_000);

function recordOf(
  spec: ClusterSpec,
  changes: Partial<ClusterRecord> = {},
): ClusterRecord {
  return {
    name: spec.name,
    owner: spec.owner,
    distribution: spec.distribution,
    spec,
    phase: 'Pending' as ClusterPhase,
    observed: {},
    revision: 1,
    appliedRevision: 0,
    failures: 0,
    reconcileAfter: 0,
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    ...changes,
  };
}

const ref = (o: KubernetesObject) => ({
  apiVersion: o.apiVersion!,
  kind: o.kind!,
  name: o.metadata!.name!,
  namespace: o.metadata?.namespace,
});

describe('clusterPlan and ClusterApplier', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let api: KubeApi;
  let management: ManagementCluster;
  let secrets: DatabaseSecretStore;
  const limiter = new RateLimiter(0);

  beforeAll(async () => {
    api = await startManagementCluster(['eks', 'gke']);
    management = new ManagementCluster({
      url: api.url,
      caData: api.caData,
      token: api.token,
      namespace: MANAGEMENT_NAMESPACE,
    });
    const knex = await databases.init('SQLITE_3');
    secrets = await DatabaseSecretStore.create({
      database: mockServices.database({ knex }),
      config: testConfig(),
    });
    await secrets.put({
      owner: 'group:default/payments',
      name: 'payments-cloud',
      kind: CREDENTIAL_KIND_OF.eks,
      value: CREDENTIALS.eks,
    });
  });
  afterAll(async () => {
    await api.close();
  });

  const sources = () => ({ secrets, namespace: MANAGEMENT_NAMESPACE });

  describe('planCluster', () => {
    it('renders the objects, credential objects and kubeconfig location once', async () => {
      const spec = { ...sampleSpec('eks'), name: 'plan-eks' };
      const plan = await planCluster(recordOf(spec), sources());
      expect(plan.distribution).toBe(distributions.eks);
      expect(plan.ctx).toEqual({
        namespace: MANAGEMENT_NAMESPACE,
        credentialSecretName: 'plan-eks-credentials',
        cloud: {},
      });
      expect(plan.objects).toEqual(distributions.eks.render(spec, plan.ctx));
      expect(plan.credentialObjects).toEqual(
        distributions.eks.credentialObjects(spec, plan.ctx, CREDENTIALS.eks),
      );
      expect(plan.kubeconfig).toEqual(
        distributions.eks.kubeconfigLocation(spec, plan.ctx),
      );
      const pool = plan.objects.find(o => o.kind === 'MachinePool')!;
      // The autoscaled pool's replicas are its autoscaler's.
      expect(plan.rulesFor(pool).engineOwned).toEqual([['spec', 'replicas']]);
    });

    it('refuses a cluster whose credential is gone, unless it is being deleted', async () => {
      const spec = {
        ...sampleSpec('gke'),
        name: 'plan-gke',
        credential: 'gone',
      };
      await expect(planCluster(recordOf(spec), sources())).rejects.toThrow(
        'credential "gone" of group:default/payments no longer exists',
      );
      const plan = await planCluster(
        recordOf(spec, { phase: 'Deleting' }),
        sources(),
      );
      // Names do not depend on the project: placeholders render them.
      expect(plan.ctx.cloud).toEqual({
        gcpProject: 'unknown',
        ociCompartmentId: 'unknown',
      });
      expect(plan.objects.map(o => o.metadata?.name)).toContain('plan-gke');
      expect(plan.credentialObjects.map(o => o.metadata?.name)).toEqual([
        'plan-gke-credentials',
      ]);
      expect(plan.credentialProblem).toBeUndefined();
    });
  });

  describe('ClusterApplier', () => {
    it('writes a first revision whole and prunes the pools a later one dropped', async () => {
      const applier = new ClusterApplier({
        management,
        logger: mockServices.logger.mock(),
      });
      const spec = { ...sampleSpec('eks'), name: 'apply-eks' };
      const first = await planCluster(recordOf(spec), sources());
      await expect(applier.write(first, limiter)).resolves.toEqual([]);
      for (const o of [...first.credentialObjects, ...first.objects]) {
        expect(api.get(ref(o))).toBeDefined();
      }

      const smaller = { ...spec, nodePools: [spec.nodePools[0]] };
      const second = await planCluster(
        recordOf(smaller, { revision: 2, appliedRevision: 1 }),
        sources(),
      );
      const pruned = await applier.write(second, limiter);
      expect(describeObjects(pruned)).toBe(
        'MachinePool apply-eks-gpu, AWSManagedMachinePool apply-eks-gpu',
      );
      for (const o of pruned) expect(api.get(ref(o))).toBeUndefined();
      await expect(applier.pruneLeftovers(second, limiter)).resolves.toEqual(
        [],
      );
      for (const o of second.objects) expect(api.get(ref(o))).toBeDefined();
    });

    it('puts drifted and missing objects back and says so', async () => {
      const logger = mockServices.logger.mock();
      const applier = new ClusterApplier({ management, logger });
      const spec = { ...sampleSpec('eks'), name: 'drift-eks' };
      const plan = await planCluster(recordOf(spec), sources());
      await applier.write(plan, limiter);
      const [infra, controlPlane] = plan.objects;
      api.patch(ref(controlPlane), {
        metadata: { labels: { [CLUSTER_LABEL]: 'someone-else' } },
      });
      api.delete(ref(infra));

      const live = await management.read(plan.objects, limiter);
      const drift = detectDrift(plan.objects, live, plan.rulesFor);
      const message = await applier.correctDrift(plan, live, drift, limiter);
      expect(message).toBe(
        `drift corrected: ${infra.kind} drift-eks recreated; ${controlPlane.kind} ${controlPlane.metadata?.name} metadata.labels["${CLUSTER_LABEL}"] someone-else -> drift-eks`,
      );
      expect(logger.info).toHaveBeenCalledWith(`cluster drift-eks: ${message}`);
      expect(api.get(ref(infra))).toBeDefined();
      expect(
        api.get(ref(controlPlane))?.metadata?.labels?.[CLUSTER_LABEL],
      ).toBe('drift-eks');
    });

    it('deletes the engine objects with their strays, then the credential objects', async () => {
      const logger = mockServices.logger.mock();
      const applier = new ClusterApplier({ management, logger });
      const spec = { ...sampleSpec('eks'), name: 'delete-eks' };
      const created = await planCluster(recordOf(spec), sources());
      await applier.write(created, limiter);

      // Deleting a cluster whose last revision dropped a pool before it was
      // written: that pool's objects are strays and go as well.
      const smaller = { ...spec, nodePools: [spec.nodePools[0]] };
      const plan = await planCluster(
        recordOf(smaller, {
          phase: 'Deleting',
          revision: 3,
          appliedRevision: 2,
        }),
        sources(),
      );
      await applier.deleteEngineObjects(plan, limiter);
      for (const o of created.objects) expect(api.get(ref(o))).toBeUndefined();
      for (const o of created.credentialObjects) {
        expect(api.get(ref(o))).toBeDefined();
      }

      await applier.deleteCredentialObjects(plan, limiter);
      for (const o of created.credentialObjects) {
        expect(api.get(ref(o))).toBeUndefined();
      }
      expect(logger.warn).not.toHaveBeenCalled();
    });

    it('says which credential objects it had to leave behind', async () => {
      const logger = mockServices.logger.mock();
      const applier = new ClusterApplier({ management, logger });
      const spec = { ...sampleSpec('eks'), name: 'left-eks' };
      const plan: ClusterPlan = {
        ...(await planCluster(
          recordOf(spec, { phase: 'Deleting' }),
          sources(),
        )),
        credentialObjects: [],
        credentialProblem: 'Error: no identity kind',
      };
      await applier.deleteCredentialObjects(plan, limiter);
      expect(logger.warn).toHaveBeenCalledWith(
        'cluster left-eks: credential objects left on the management cluster: Error: no identity kind',
      );
    });
  });
});
