import { distributions } from './index';
import {
  applyAll,
  ctx,
  Double,
  rejection,
  sampleSpec,
  startDouble,
} from './__testUtils__/harness';

const find = (objs: any[], kind: string, name?: string) =>
  objs.find(o => o.kind === kind && (!name || o.metadata.name === name));

describe('field mappings per provider', () => {
  // Cluster API's version.KubeSemver, which its MachinePool webhook applies
  // to spec.template.spec.version (after prepending a missing `v`).
  const KUBE_SEMVER =
    /^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)([-0-9a-zA-Z_.+]*)?$/;

  it.each(['eks', 'aks', 'gke', 'oke'] as const)(
    '%s: MachinePool versions are full semantic versions, as Cluster API admits them',
    d => {
      const objs = distributions[d].render(sampleSpec(d), ctx) as any[];
      const versions = objs
        .filter(o => o.kind === 'MachinePool')
        .map(o => o.spec.template.spec.version);
      expect(versions).toHaveLength(2);
      for (const version of versions) {
        expect(version).toMatch(KUBE_SEMVER);
        expect(version).toMatch(/^v1\.32\./);
      }
    },
  );

  it('eks: v-prefixed versions, scaling bounds, autoscaler annotations, CAPA taint effects', () => {
    const objs = distributions.eks.render(sampleSpec('eks'), ctx) as any[];
    expect(find(objs, 'AWSManagedControlPlane').spec).toMatchObject({
      version: 'v1.32',
      region: 'eu-west-1',
      identityRef: { kind: 'AWSClusterStaticIdentity' },
    });
    const cluster = find(objs, 'Cluster');
    expect(cluster.apiVersion).toBe('cluster.x-k8s.io/v1beta2');
    expect(cluster.spec.controlPlaneRef).toEqual({
      apiGroup: 'controlplane.cluster.x-k8s.io',
      kind: 'AWSManagedControlPlane',
      name: 'orders-control-plane',
    });
    const general = find(objs, 'MachinePool', 'orders-general');
    expect(general.spec.replicas).toBe(3);
    expect(general.spec.template.spec).toMatchObject({
      version: 'v1.32.0',
      bootstrap: { dataSecretName: '' },
      infrastructureRef: {
        kind: 'AWSManagedMachinePool',
        name: 'orders-general',
      },
    });
    expect(general.metadata.annotations).toEqual({
      'cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size': '2',
      'cluster.x-k8s.io/cluster-api-autoscaler-node-group-max-size': '6',
    });
    const gpu = find(objs, 'AWSManagedMachinePool', 'orders-gpu');
    expect(gpu.spec.scaling).toEqual({ minSize: 1, maxSize: 1 });
    expect(gpu.spec.taints).toEqual([
      { key: 'nvidia.com/gpu', value: 'present', effect: 'no-schedule' },
      { key: 'dedicated', value: '', effect: 'no-execute' },
    ]);
  });

  it('aks: ASO resources, native autoscaler, string taints, System pool first', () => {
    const objs = distributions.aks.render(sampleSpec('aks'), ctx) as any[];
    const cp = find(objs, 'AzureASOManagedControlPlane');
    expect(cp.spec.version).toBe('v1.32');
    expect(cp.spec.resources[0]).toMatchObject({
      kind: 'ManagedCluster',
      spec: {
        kubernetesVersion: '1.32',
        location: 'westeurope',
        owner: { name: 'orders' },
      },
      metadata: {
        annotations: {
          'serviceoperator.azure.com/credential-from': 'orders-credential',
        },
      },
    });
    expect(find(objs, 'AzureASOManagedCluster').spec.resources[0].kind).toBe(
      'ResourceGroup',
    );
    const [general, gpu] = objs
      .filter(o => o.kind === 'AzureASOManagedMachinePool')
      .map(o => o.spec.resources[0].spec);
    expect(general).toMatchObject({
      mode: 'System',
      enableAutoScaling: true,
      minCount: 2,
      maxCount: 6,
    });
    expect(gpu).toMatchObject({
      mode: 'User',
      azureName: 'gpu',
      enableAutoScaling: false,
      nodeTaints: ['nvidia.com/gpu=present:NoSchedule', 'dedicated=:NoExecute'],
    });
    expect(
      find(objs, 'MachinePool', 'orders-general').metadata.annotations,
    ).toBeUndefined();
  });

  it('gke: project from context, minor versions, autoscaling off for fixed pools', () => {
    const objs = distributions.gke.render(sampleSpec('gke'), ctx) as any[];
    expect(find(objs, 'GCPManagedControlPlane').spec).toMatchObject({
      project: 'payments-prod-4711',
      location: 'europe-west1',
      version: '1.32',
    });
    const gpu = find(objs, 'GCPManagedMachinePool', 'orders-gpu').spec;
    expect(gpu.scaling).toEqual({ enableAutoscaling: false });
    expect(gpu.kubernetesTaints[1]).toEqual({
      key: 'dedicated',
      value: '',
      effect: 'NoExecute',
    });
    expect(() =>
      distributions.gke.render(sampleSpec('gke'), { ...ctx, cloud: {} }),
    ).toThrow(/project/);
  });

  it('oke: full versions, labels as a list, taints on the core MachinePool', () => {
    const objs = distributions.oke.render(sampleSpec('oke'), ctx) as any[];
    expect(find(objs, 'OCIManagedControlPlane').spec.version).toBe('v1.32.1');
    expect(
      find(objs, 'OCIManagedMachinePool', 'orders-gpu').spec.initialNodeLabels,
    ).toEqual([
      { key: 'node.example.com/role', value: 'gpu' },
      { key: 'accelerator', value: 'nvidia' },
    ]);
    expect(
      find(objs, 'MachinePool', 'orders-gpu').spec.template.spec.taints,
    ).toEqual([
      {
        key: 'nvidia.com/gpu',
        value: 'present',
        effect: 'NoSchedule',
        propagation: 'Always',
      },
      { key: 'dedicated', effect: 'NoExecute', propagation: 'Always' },
    ]);
  });

  it('ack and doks: Crossplane sizes, namespaced names, provider configs', () => {
    const [cluster, general, gpu] = distributions.ack.render(
      sampleSpec('ack'),
      ctx,
    ) as any[];
    expect(cluster.metadata.name).toBe('clusters-payments-orders');
    expect(cluster.spec.forProvider.version).toBe('1.32.1-aliyun.1');
    expect(general.spec.forProvider.scalingConfig).toEqual([
      { enable: true, minSize: 2, maxSize: 6 },
    ]);
    expect(general.spec.forProvider.desiredSize).toBeUndefined();
    expect(gpu.spec.forProvider).toMatchObject({
      desiredSize: '1',
      clusterIdRefs: { name: cluster.metadata.name },
    });

    const [doCluster] = distributions.doks.render(
      sampleSpec('doks'),
      ctx,
    ) as any[];
    expect(doCluster.spec.forProvider.version).toBe('1.32');
    expect(doCluster.spec.forProvider.nodePools[0]).toMatchObject({
      count: 3,
      autoScale: true,
      minNodes: 2,
      maxNodes: 6,
    });
    expect(doCluster.spec.writeConnectionSecretToRef).toEqual({
      name: 'orders-kubeconfig',
      namespace: 'clusters-payments',
    });
  });
});

describe('the double validates against the real CRDs', () => {
  let double: Double;
  beforeAll(async () => {
    double = await startDouble('eks');
  });
  afterAll(() => double.close());

  it('rejects a manifest that violates the CRD schema, naming the field', async () => {
    const objs = distributions.eks.render(sampleSpec('eks'), ctx) as any[];
    const pool = structuredClone(find(objs, 'AWSManagedMachinePool'));
    pool.spec.taints = [{ key: 'a', value: '', effect: 'NoSchedule' }];
    const err = await rejection(applyAll(double.objects, [pool]));
    expect(err.code).toBe(422);
    expect(err.fields).toContain('spec.taints[0].effect');

    const mp = structuredClone(find(objs, 'MachinePool'));
    delete mp.spec.template.spec.infrastructureRef;
    const err2 = await rejection(applyAll(double.objects, [mp]));
    expect(err2.code).toBe(422);
    expect(err2.message).toContain('spec.template.spec.infrastructureRef');
  });
});
