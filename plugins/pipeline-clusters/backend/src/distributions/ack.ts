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
  crossplaneDistribution,
  managedName,
  managedResource,
  providerConfigObjects,
  readCrossplane,
  readManaged,
} from './crossplane';
import { compact, field } from './model';
import { clusterScopedName } from './names';
import { labelList, scaleBounds, taintList } from './parts';
import { RenderContext } from './types';

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
): KubernetesObject {
  const bounds = scaleBounds(pool);
  return managedResource<KubernetesNodePoolParameters>(spec, ctx, {
    apiVersion: ACK_API,
    kind: 'KubernetesNodePool',
    name: poolName(spec, ctx, pool),
    forProvider: compact({
      clusterIdRefs: { name: managedName(spec, ctx) },
      nodePoolName: pool.name,
      region: spec.region,
      instanceTypes: [pool.machineType],
      desiredSize: bounds.scaled ? undefined : String(pool.desiredSize),
      scalingConfig: bounds.scaled
        ? [{ enable: true, minSize: pool.minSize, maxSize: pool.maxSize }]
        : undefined,
      labels: labelList(pool),
      taints: taintList(pool),
    }),
  });
}

export const ack = crossplaneDistribution<ManagedKubernetesParameters>({
  id: 'ack',

  cluster: spec => ({
    apiVersion: ACK_API,
    kind: 'ManagedKubernetes',
    forProvider: {
      name: spec.name,
      region: spec.region,
      version: ackVersion(spec.kubernetesVersion),
      clusterSpec: 'ack.pro.small',
    },
  }),
  more: (spec, ctx) => spec.nodePools.map(p => nodePool(spec, ctx, p)),

  credentialObjects(spec, ctx, value) {
    return providerConfigObjects(spec, ctx, {
      apiVersion: PROVIDER_API,
      key: 'credentials',
      data: {
        credentials: JSON.stringify({
          access_key: value.accessKeyId,
          secret_key: value.accessKeySecret,
          region: spec.region,
        }),
      },
    });
  },

  readStatus(spec, observed) {
    const [cluster, ...pools] = observed;
    return readCrossplane(spec, observed, {
      version: field<string>(cluster, 'status', 'atProvider', 'version'),
      pools: spec.nodePools.map((pool, i) => {
        const obj = pools[i];
        const count =
          field<number>(obj, 'status', 'atProvider', 'nodeCount') ??
          Number(field<string>(obj, 'status', 'atProvider', 'desiredSize'));
        return {
          pool,
          replicas: Number.isFinite(count) ? count : undefined,
          ready: readManaged(obj).ready,
        };
      }),
    });
  },
});
