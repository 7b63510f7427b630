/**
 * ACK through Crossplane's provider-upjet-alibabacloud (v1alpha1): one
 * ManagedKubernetes (ACK Pro) and one KubernetesNodePool per node pool, both
 * cluster-scoped, with a ProviderConfig for the credential.
 *
 * Mapping:
 * - region -> forProvider.region of every resource.
 * - version: ACK takes full versions: `1.32.1-aliyun.1` (ACK_PATCH below);
 *   readStatus compares minors.
 * - machineType -> instanceTypes[0].
 * - min/max: ACK's autoscaler (scalingConfig) when min < max, else a fixed
 *   desiredSize (a string in this CRD); the two are exclusive in ACK.
 * - labels -> labels ([{key, value}]); taints -> taints (same effect spelling).
 * - The pools find their cluster through clusterIdRefs (the resource name).
 * - credential: a ProviderConfig whose Secret holds the provider's JSON
 *   ({access_key, secret_key, region}) under `credentials`.
 * - Networking (VPC, vSwitches) is not part of the spec: ACK's defaults apply.
 */
import { KubernetesObject } from '@kubernetes/client-node';
import {
  ClusterSpec,
  NodePool,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import {
  crossplaneKubeconfigLocation,
  crossplaneMeta,
  managedName,
  ManagedResourceSpec,
  providerConfigName,
  ProviderConfigSpec,
  readManaged,
} from './crossplane';
import { portalLabels } from './labels';
import { asObject, compact, field, Manifest, secret } from './model';
import { clusterScopedName } from './names';
import { autoscaled, decide, PoolFacts } from './status';
import { ClusterDistribution, RenderContext } from './types';

const ACK_API = 'ack.alibabacloud.crossplane.io/v1alpha1';
const PROVIDER_API = 'alibabacloud.crossplane.io/v1beta1';

export const ACK_PATCH: Record<string, string> = {
  '1.31': '1.31.1-aliyun.1',
  '1.32': '1.32.1-aliyun.1',
  '1.33': '1.33.1-aliyun.1',
};

export const ackVersion = (minor: string) =>
  ACK_PATCH[minor] ?? `${minor}.1-aliyun.1`;

export interface ManagedKubernetesParameters {
  name: string;
  region: string;
  version: string;
  clusterSpec: 'ack.pro.small';
}

export interface KubernetesNodePoolParameters {
  clusterIdRefs: { name: string };
  nodePoolName: string;
  region: string;
  instanceTypes: string[];
  desiredSize?: string;
  scalingConfig?: Array<{ enable: boolean; minSize: number; maxSize: number }>;
  labels?: Array<{ key: string; value: string }>;
  taints?: Array<{ key: string; value?: string; effect: string }>;
}

const poolName = (spec: ClusterSpec, ctx: RenderContext, pool: NodePool) =>
  clusterScopedName(ctx.namespace, `${spec.name}-${pool.name}`);

function nodePool(
  spec: ClusterSpec,
  ctx: RenderContext,
  pool: NodePool,
): Manifest<ManagedResourceSpec<KubernetesNodePoolParameters>> {
  const labels = Object.entries(pool.labels);
  const scaled = autoscaled(pool);
  return {
    apiVersion: ACK_API,
    kind: 'KubernetesNodePool',
    metadata: crossplaneMeta(spec, poolName(spec, ctx, pool)),
    spec: {
      forProvider: compact({
        clusterIdRefs: { name: managedName(spec, ctx) },
        nodePoolName: pool.name,
        region: spec.region,
        instanceTypes: [pool.machineType],
        desiredSize: scaled ? undefined : String(pool.desiredSize),
        scalingConfig: scaled
          ? [{ enable: true, minSize: pool.minSize, maxSize: pool.maxSize }]
          : undefined,
        labels: labels.length
          ? labels.map(([key, value]) => ({ key, value }))
          : undefined,
        taints: pool.taints.length
          ? pool.taints.map(t => compact({ ...t }))
          : undefined,
      }),
      providerConfigRef: { name: providerConfigName(ctx) },
      deletionPolicy: 'Delete',
    },
  };
}

export const ack: ClusterDistribution = {
  id: 'ack',
  engine: 'crossplane',

  render(spec, ctx) {
    const cluster: Manifest<ManagedResourceSpec<ManagedKubernetesParameters>> =
      {
        apiVersion: ACK_API,
        kind: 'ManagedKubernetes',
        metadata: crossplaneMeta(spec, managedName(spec, ctx)),
        spec: {
          forProvider: {
            name: spec.name,
            region: spec.region,
            version: ackVersion(spec.kubernetesVersion),
            clusterSpec: 'ack.pro.small',
          },
          providerConfigRef: { name: providerConfigName(ctx) },
          deletionPolicy: 'Delete',
          writeConnectionSecretToRef: {
            name: crossplaneKubeconfigLocation(spec, ctx).name,
            namespace: ctx.namespace,
          },
        },
      };
    return [
      asObject(cluster),
      ...spec.nodePools.map(p => asObject(nodePool(spec, ctx, p))),
    ];
  },

  credentialObjects(spec, ctx, value) {
    const config: Manifest<ProviderConfigSpec> = {
      apiVersion: PROVIDER_API,
      kind: 'ProviderConfig',
      metadata: crossplaneMeta(spec, providerConfigName(ctx)),
      spec: {
        credentials: {
          source: 'Secret',
          secretRef: {
            name: ctx.credentialSecretName,
            namespace: ctx.namespace,
            key: 'credentials',
          },
        },
      },
    };
    return [
      secret(
        {
          name: ctx.credentialSecretName,
          namespace: ctx.namespace,
          labels: portalLabels(spec),
        },
        {
          credentials: JSON.stringify({
            access_key: value.accessKeyId,
            secret_key: value.accessKeySecret,
            region: spec.region,
          }),
        },
      ),
      asObject(config),
    ];
  },

  readStatus(spec, observed) {
    const [cluster, ...pools] = observed;
    const present = observed.filter(
      (o): o is KubernetesObject => o !== undefined,
    );
    const facts = present.map(readManaged);
    const clusterFacts = readManaged(cluster);
    const poolFacts: PoolFacts[] = spec.nodePools.map((pool, i) => {
      const obj = pools[i];
      const count =
        field<number>(obj, 'status', 'atProvider', 'nodeCount') ??
        Number(field<string>(obj, 'status', 'atProvider', 'desiredSize'));
      return {
        pool,
        replicas: Number.isFinite(count) ? count : undefined,
        ready: readManaged(obj).ready,
      };
    });
    return decide(spec, {
      present: present.length,
      deleting: facts.some(f => f.deleting),
      failure: facts.map(f => f.failure).find(Boolean),
      ready: clusterFacts.ready,
      version: field<string>(cluster, 'status', 'atProvider', 'version'),
      pools: poolFacts,
    });
  },

  kubeconfigLocation: crossplaneKubeconfigLocation,
};
