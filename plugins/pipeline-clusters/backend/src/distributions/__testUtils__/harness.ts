/* eslint-disable jest/no-export -- shared fixtures and the contract every distribution's test file runs */
import {
  ApiException,
  KubeConfig,
  KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
} from '@kubernetes/client-node';
import {
  ClusterSpec,
  ProvisionedDistribution,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { KubeApi, startKubeApi } from '@pipeline-portal/testing';
import { playEngines } from '../../__testUtils__/engines';
import { distributions } from '../index';
import { RenderContext } from '../types';

jest.setTimeout(30_000);

/** The CRDs each distribution writes (paths relative to shared/crds). */
export const CRDS: Record<ProvisionedDistribution, string[]> = {
  eks: [
    'cluster.x-k8s.io/clusters.yaml',
    'cluster.x-k8s.io/machinepools.yaml',
    'infrastructure.cluster.x-k8s.io/awsmanagedclusters.yaml',
    'controlplane.cluster.x-k8s.io/awsmanagedcontrolplanes.yaml',
    'infrastructure.cluster.x-k8s.io/awsmanagedmachinepools.yaml',
    'infrastructure.cluster.x-k8s.io/awsclusterstaticidentities.yaml',
  ],
  aks: [
    'cluster.x-k8s.io/clusters.yaml',
    'cluster.x-k8s.io/machinepools.yaml',
    'infrastructure.cluster.x-k8s.io/azureasomanagedclusters.yaml',
    'infrastructure.cluster.x-k8s.io/azureasomanagedcontrolplanes.yaml',
    'infrastructure.cluster.x-k8s.io/azureasomanagedmachinepools.yaml',
  ],
  gke: [
    'cluster.x-k8s.io/clusters.yaml',
    'cluster.x-k8s.io/machinepools.yaml',
    'infrastructure.cluster.x-k8s.io/gcpmanagedclusters.yaml',
    'infrastructure.cluster.x-k8s.io/gcpmanagedcontrolplanes.yaml',
    'infrastructure.cluster.x-k8s.io/gcpmanagedmachinepools.yaml',
  ],
  oke: [
    'cluster.x-k8s.io/clusters.yaml',
    'cluster.x-k8s.io/machinepools.yaml',
    'infrastructure.cluster.x-k8s.io/ocimanagedclusters.yaml',
    'infrastructure.cluster.x-k8s.io/ocimanagedcontrolplanes.yaml',
    'infrastructure.cluster.x-k8s.io/ocimanagedmachinepools.yaml',
    'infrastructure.cluster.x-k8s.io/ociclusteridentities.yaml',
  ],
  ack: [
    'ack.alibabacloud.crossplane.io/managedkubernetes.yaml',
    'ack.alibabacloud.crossplane.io/kubernetesnodepools.yaml',
    'alibabacloud.crossplane.io/providerconfigs.yaml',
  ],
  doks: [
    'kubernetes.do.crossplane.io/dokubernetesclusters.yaml',
    'do.crossplane.io/providerconfigs.yaml',
  ],
};

export const NAMESPACE = 'clusters-payments';

export const ctx: RenderContext = {
  namespace: NAMESPACE,
  credentialSecretName: 'orders-credential',
  cloud: {
    gcpProject: 'payments-prod-4711',
    ociCompartmentId: 'ocid1.tenancy.oc1..aaaa',
  },
};

const MACHINE: Record<ProvisionedDistribution, [string, string]> = {
  eks: ['m5.large', 'g5.xlarge'],
  aks: ['Standard_D4s_v5', 'Standard_NC6s_v3'],
  gke: ['e2-standard-4', 'n1-standard-8'],
  oke: ['VM.Standard3.Flex', 'VM.GPU3.1'],
  ack: ['ecs.g7.xlarge', 'ecs.gn6i-c4g1.xlarge'],
  doks: ['s-4vcpu-8gb', 'g-8vcpu-32gb'],
};

const REGION: Record<ProvisionedDistribution, string> = {
  eks: 'eu-west-1',
  aks: 'westeurope',
  gke: 'europe-west1',
  oke: 'eu-frankfurt-1',
  ack: 'eu-central-1',
  doks: 'fra1',
};

/**
 * A realistic spec in the shape Banzai Pipeline clusters had: an autoscaled
 * general pool and a fixed-size GPU pool, tainted so only GPU work lands there.
 */
export function sampleSpec(d: ProvisionedDistribution): ClusterSpec {
  return {
    name: 'orders',
    owner: 'group:default/payments',
    distribution: d,
    region: REGION[d],
    kubernetesVersion: '1.32',
    credential: 'payments-cloud',
    nodePools: [
      {
        name: 'general',
        machineType: MACHINE[d][0],
        minSize: 2,
        maxSize: 6,
        desiredSize: 3,
        labels: { 'node.example.com/role': 'general' },
        taints: [],
      },
      {
        name: 'gpu',
        machineType: MACHINE[d][1],
        minSize: 1,
        maxSize: 1,
        desiredSize: 1,
        labels: { 'node.example.com/role': 'gpu', accelerator: 'nvidia' },
        taints: [
          { key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' },
          { key: 'dedicated', effect: 'NoExecute' },
        ],
      },
    ],
  };
}

export const CREDENTIALS: Record<
  ProvisionedDistribution,
  Record<string, string>
> = {
  eks: {
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  },
  aks: {
    tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
    subscriptionId: '00000000-0000-0000-0000-000000000001',
    clientId: '00000000-0000-0000-0000-000000000002',
    clientSecret: 'secret',
  },
  gke: {
    serviceAccountKey: JSON.stringify({
      type: 'service_account',
      project_id: 'payments-prod-4711',
      private_key:
        '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n',
      client_email: 'capg@payments-prod-4711.iam.gserviceaccount.com',
    }),
  },
  oke: {
    tenancy: 'ocid1.tenancy.oc1..aaaa',
    user: 'ocid1.user.oc1..bbbb',
    fingerprint: '12:34:56:78:90:ab:cd:ef:12:34:56:78:90:ab:cd:ef',
    privateKey:
      '-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----',
    region: 'eu-frankfurt-1',
  },
  ack: { accessKeyId: 'LTAI5tExample', accessKeySecret: 'example-secret' },
  doks: { token: 'dop_v1_0123456789abcdef0123456789abcdef' },
};

export interface Double {
  api: KubeApi;
  objects: KubernetesObjectApi;
  close(): Promise<void>;
}

export async function startDouble(d: ProvisionedDistribution): Promise<Double> {
  const api = await startKubeApi({
    crds: CRDS[d],
    namespaces: [NAMESPACE, 'capa-system'],
  });
  const kc = new KubeConfig();
  kc.loadFromOptions(api.kubeConfig);
  return {
    api,
    objects: KubernetesObjectApi.makeApiClient(kc),
    close: () => api.close(),
  };
}

/** Every leaf of `expected` is in `actual`: the server pruned nothing. */
export function expectNothingPruned(
  expected: unknown,
  actual: unknown,
  path = '',
) {
  if (expected && typeof expected === 'object' && !Array.isArray(expected)) {
    for (const [k, v] of Object.entries(expected)) {
      expectNothingPruned(
        v,
        (actual as Record<string, unknown>)?.[k],
        `${path}.${k}`,
      );
    }
    return;
  }
  if (Array.isArray(expected)) {
    expect({ path, length: (actual as unknown[])?.length }).toEqual({
      path,
      length: expected.length,
    });
    expected.forEach((v, i) =>
      expectNothingPruned(v, (actual as unknown[])[i], `${path}[${i}]`),
    );
    return;
  }
  expect({ path, value: actual }).toEqual({ path, value: expected });
}

/**
 * Creates each object over HTTPS with client-node (server-side apply, as the
 * portal writes them) and checks the server kept every field.
 */
export async function applyAll(
  objects: KubernetesObjectApi,
  manifests: KubernetesObject[],
): Promise<KubernetesObject[]> {
  const stored: KubernetesObject[] = [];
  for (const manifest of manifests) {
    const result = await objects.patch(
      manifest,
      undefined,
      undefined,
      'pipeline-portal',
      true,
      PatchStrategy.ServerSideApply,
    );
    const { metadata: _m, ...rest } = manifest;
    expectNothingPruned(rest, result);
    stored.push(result);
  }
  return stored;
}

/** The status code and field paths of a failed client-node call. */
export async function rejection(p: Promise<unknown>) {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApiException) {
      const body =
        typeof err.body === 'string' ? JSON.parse(err.body) : err.body;
      return {
        code: err.code,
        fields: (body?.details?.causes ?? []).map(
          (c: { field: string }) => c.field,
        ),
        message: body?.message as string,
      };
    }
    throw err;
  }
  throw new Error('expected the request to be rejected');
}

/** Reads back what render produced, in render order (undefined when absent). */
export function readBack(api: KubeApi, manifests: KubernetesObject[]) {
  return manifests.map(m => api.get(m as any) as KubernetesObject | undefined);
}

/**
 * The behaviour every distribution shares: its objects pass the real CRDs,
 * render is pure, and readStatus follows the engine through a lifecycle.
 */
export function describeDistribution(d: ProvisionedDistribution) {
  const distribution = distributions[d];
  const spec = sampleSpec(d);

  describe(`${d}: shared contract`, () => {
    let double: Double;
    beforeAll(async () => {
      double = await startDouble(d);
      playEngines(double.api, {
        // Long enough for a test to read the intermediate state over HTTP.
        readyAfterMs: 1_500,
        failWith: {
          cluster: 'broken',
          message: 'quota exceeded for instances',
        },
      });
    });
    afterAll(() => double.close());

    it('renders deterministically, labelled with cluster and owner', () => {
      const a = distribution.render(spec, ctx);
      const b = distribution.render(structuredClone(spec), { ...ctx });
      expect(JSON.stringify(a)).toEqual(JSON.stringify(b));
      for (const o of a) {
        expect(o.metadata?.labels).toMatchObject({
          'pipeline-portal.io/cluster': 'orders',
          'pipeline-portal.io/owner': 'group.default.payments',
        });
      }
    });

    it('creates the credential and every rendered object against the real CRDs, then follows the lifecycle', async () => {
      const { api, objects } = double;
      const manifests = distribution.render(spec, ctx);

      // Nothing created yet.
      expect(
        distribution.readStatus(
          spec,
          manifests.map(() => undefined),
        ),
      ).toMatchObject({ phase: 'Provisioning' });

      await applyAll(
        objects,
        distribution.credentialObjects(spec, ctx, CREDENTIALS[d]),
      );
      await applyAll(objects, manifests);

      // Created, the engine has not reported yet.
      const unreported = readBack(api, manifests).map(
        o => o && { ...o, status: undefined },
      );
      const early = distribution.readStatus(spec, unreported);
      expect(early.phase).toBe('Provisioning');

      await api.settle();
      const running = distribution.readStatus(spec, readBack(api, manifests));
      expect(running).toMatchObject({
        phase: 'Running',
        kubernetesVersion: '1.32',
      });
      expect(running.nodeCount).toBeGreaterThanOrEqual(3);

      const loc = distribution.kubeconfigLocation(spec, ctx);
      const kubeconfig = api.get({
        apiVersion: 'v1',
        kind: 'Secret',
        ...loc,
      }) as any;
      expect(
        Buffer.from(kubeconfig.data[loc.key], 'base64').toString(),
      ).toContain(api.url);

      // Upgrade: the engine still reports 1.32 while the spec asks for 1.33.
      const upgraded = { ...spec, kubernetesVersion: '1.33' };
      const next = distribution.render(upgraded, ctx);
      await applyAll(objects, next);
      const updating = distribution.readStatus(upgraded, readBack(api, next));
      expect(updating).toMatchObject({
        phase: 'Updating',
        kubernetesVersion: '1.32',
      });
      await api.settle();
      expect(
        distribution.readStatus(upgraded, readBack(api, next)),
      ).toMatchObject({
        phase: 'Running',
        kubernetesVersion: '1.33',
      });

      // Delete the top-level object: Deleting while finalizers are pending.
      const top = next.find(o => o.kind === 'Cluster') ?? next[0];
      await objects.delete(top);
      expect(distribution.readStatus(upgraded, readBack(api, next)).phase).toBe(
        'Deleting',
      );
      await api.settle();
      expect(api.get(top as any)).toBeUndefined();
      // Cluster API cascades the delete to every object through the
      // ownerReferences its controllers set; Crossplane resources stand alone.
      const remaining =
        distribution.engine === 'cluster-api'
          ? readBack(api, next).filter(Boolean)
          : [];
      expect(remaining).toEqual([]);
    });

    it('surfaces the engine failure message as Error', async () => {
      const broken = { ...spec, name: 'broken' };
      const manifests = distribution.render(broken, ctx);
      await applyAll(double.objects, manifests);
      await double.api.settle();
      expect(
        distribution.readStatus(broken, readBack(double.api, manifests)),
      ).toMatchObject({
        phase: 'Error',
        message: 'quota exceeded for instances',
      });
    });

    it('reports scaling as Updating until the engine reports the new size', async () => {
      const scaled = { ...spec, name: 'scaled' };
      await applyAll(double.objects, distribution.render(scaled, ctx));
      await double.api.settle();
      const bigger = {
        ...scaled,
        nodePools: scaled.nodePools.map(p =>
          p.name === 'gpu'
            ? { ...p, maxSize: 2, minSize: 2, desiredSize: 2 }
            : p,
        ),
      };
      const manifests = distribution.render(bigger, ctx);
      await applyAll(double.objects, manifests);
      expect(
        distribution.readStatus(bigger, readBack(double.api, manifests)),
      ).toMatchObject({
        phase: 'Updating',
      });
      await double.api.settle();
      expect(
        distribution.readStatus(bigger, readBack(double.api, manifests)).phase,
      ).toBe('Running');
    });
  });
}
