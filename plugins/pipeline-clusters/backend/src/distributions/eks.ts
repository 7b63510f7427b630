/**
 * EKS through Cluster API Provider AWS (CAPA v1beta2): AWSManagedCluster +
 * AWSManagedControlPlane + one AWSManagedMachinePool per node pool.
 *
 * Mapping:
 * - region -> AWSManagedControlPlane.spec.region; the EKS cluster is named
 *   after the portal cluster (eksClusterName), each node group after its pool.
 * - version: CAPA takes `v1.32`; the MachinePool `v1.32.0` (Cluster API wants a full version).
 * - machineType -> instanceType; AL2023 AMIs (AL2 ends with 1.32).
 * - min/max -> scaling.minSize/maxSize (the node group's bounds) and the
 *   cluster-autoscaler annotations on the MachinePool; desired -> replicas.
 * - labels -> spec.labels; taints -> spec.taints with CAPA's effect spelling
 *   (no-schedule, prefer-no-schedule, no-execute) and a required value ('' if none).
 * - credential: an AWSClusterStaticIdentity (cluster-scoped) whose Secret
 *   lives in CAPA's namespace, as CAPA requires, limited to our namespace.
 */
import {
  NodePool,
  TaintEffect,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import {
  capiDistribution,
  CapiPart,
  CONTROLPLANE_GROUP,
  INFRA_GROUP,
} from './clusterApi';
import { portalLabels } from './labels';
import { asObject, compact, Manifest, secret } from './model';
import { clusterScopedName } from './names';
import { labelMap, taintsWithValue } from './parts';
import { RenderContext } from './types';

const INFRA_API = `${INFRA_GROUP}/v1beta2`;
const CONTROLPLANE_API = `${CONTROLPLANE_GROUP}/v1beta2`;
export const DEFAULT_CAPA_NAMESPACE = 'capa-system';

export type AwsTaintEffect =
  | 'no-schedule'
  | 'prefer-no-schedule'
  | 'no-execute';

const EFFECTS: Record<TaintEffect, AwsTaintEffect> = {
  NoSchedule: 'no-schedule',
  PreferNoSchedule: 'prefer-no-schedule',
  NoExecute: 'no-execute',
};

export interface AWSManagedControlPlaneSpec {
  eksClusterName: string;
  region: string;
  version: string;
  identityRef: { kind: 'AWSClusterStaticIdentity'; name: string };
}

export interface AWSManagedMachinePoolSpec {
  eksNodegroupName: string;
  instanceType: string;
  amiType: 'AL2023_x86_64_STANDARD';
  capacityType: 'onDemand';
  scaling: { minSize: number; maxSize: number };
  labels?: Record<string, string>;
  taints?: Array<{ key: string; value: string; effect: AwsTaintEffect }>;
}

export interface AWSClusterStaticIdentitySpec {
  secretRef: string;
  allowedNamespaces: { list: string[] };
}

export const eksVersion = (minor: string) => `v${minor}`;

/** Identity and its Secret are named per namespace: both outlive one cluster. */
const identityName = (ctx: RenderContext) =>
  clusterScopedName(ctx.namespace, ctx.credentialSecretName);

function machinePoolSpec(pool: NodePool): AWSManagedMachinePoolSpec {
  return compact({
    eksNodegroupName: pool.name,
    instanceType: pool.machineType,
    amiType: 'AL2023_x86_64_STANDARD' as const,
    capacityType: 'onDemand' as const,
    scaling: { minSize: pool.minSize, maxSize: pool.maxSize },
    labels: labelMap(pool),
    taints: taintsWithValue(pool, e => EFFECTS[e]),
  });
}

export const eks = capiDistribution({
  id: 'eks',

  render(spec, ctx) {
    const version = eksVersion(spec.kubernetesVersion);
    const controlPlane: CapiPart<AWSManagedControlPlaneSpec> = {
      apiVersion: CONTROLPLANE_API,
      kind: 'AWSManagedControlPlane',
      spec: {
        eksClusterName: spec.name,
        region: spec.region,
        version,
        identityRef: {
          kind: 'AWSClusterStaticIdentity',
          name: identityName(ctx),
        },
      },
    };
    return {
      infraCluster: {
        apiVersion: INFRA_API,
        kind: 'AWSManagedCluster',
        spec: {},
      },
      controlPlane,
      pool: pool => ({
        infraPool: {
          apiVersion: INFRA_API,
          kind: 'AWSManagedMachinePool',
          spec: machinePoolSpec(pool),
        },
        machinePool: { version, autoscalerAnnotations: true },
      }),
    };
  },

  credentialObjects(spec, ctx, value) {
    const name = identityName(ctx);
    const namespace = ctx.capaNamespace ?? DEFAULT_CAPA_NAMESPACE;
    const data: Record<string, string> = {
      AccessKeyID: value.accessKeyId,
      SecretAccessKey: value.secretAccessKey,
    };
    if (value.sessionToken) data.SessionToken = value.sessionToken;
    const identity: Manifest<AWSClusterStaticIdentitySpec> = {
      apiVersion: INFRA_API,
      kind: 'AWSClusterStaticIdentity',
      metadata: { name, labels: portalLabels(spec) },
      spec: { secretRef: name, allowedNamespaces: { list: [ctx.namespace] } },
    };
    return [
      secret({ name, namespace, labels: portalLabels(spec) }, data),
      asObject(identity),
    ];
  },
});
