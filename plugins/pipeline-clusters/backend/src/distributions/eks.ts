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
  capiDriftRules,
  capiKubeconfigLocation,
  CONTROLPLANE_GROUP,
  controlPlaneName,
  INFRA_GROUP,
  infrastructureClusterName,
  machinePoolName,
  meta,
  readCapi,
  renderCapi,
} from './clusterApi';
import { portalLabels } from './labels';
import { asObject, field, Manifest, secret } from './model';
import { clusterScopedName } from './names';
import { ClusterDistribution, RenderContext } from './types';

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
  const spec: AWSManagedMachinePoolSpec = {
    eksNodegroupName: pool.name,
    instanceType: pool.machineType,
    amiType: 'AL2023_x86_64_STANDARD',
    capacityType: 'onDemand',
    scaling: { minSize: pool.minSize, maxSize: pool.maxSize },
  };
  if (Object.keys(pool.labels).length) spec.labels = { ...pool.labels };
  if (pool.taints.length) {
    spec.taints = pool.taints.map(t => ({
      key: t.key,
      value: t.value ?? '',
      effect: EFFECTS[t.effect],
    }));
  }
  return spec;
}

export const eks: ClusterDistribution = {
  id: 'eks',
  engine: 'cluster-api',

  render(spec, ctx) {
    const version = eksVersion(spec.kubernetesVersion);
    const infraCluster: Manifest<Record<string, never>> = {
      apiVersion: INFRA_API,
      kind: 'AWSManagedCluster',
      metadata: meta(spec, ctx, infrastructureClusterName(spec)),
      spec: {},
    };
    const controlPlane: Manifest<AWSManagedControlPlaneSpec> = {
      apiVersion: CONTROLPLANE_API,
      kind: 'AWSManagedControlPlane',
      metadata: meta(spec, ctx, controlPlaneName(spec)),
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
    return renderCapi(spec, ctx, {
      infraCluster: asObject(infraCluster),
      controlPlane: asObject(controlPlane),
      pool: pool => {
        const infraPool: Manifest<AWSManagedMachinePoolSpec> = {
          apiVersion: INFRA_API,
          kind: 'AWSManagedMachinePool',
          metadata: meta(spec, ctx, machinePoolName(spec, pool)),
          spec: machinePoolSpec(pool),
        };
        return {
          infraPool: asObject(infraPool),
          machinePool: { version, autoscalerAnnotations: true },
        };
      },
    });
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

  readStatus(spec, observed) {
    return readCapi(spec, observed, {
      controlPlaneVersion: cp => field<string>(cp, 'status', 'version'),
    });
  },

  kubeconfigLocation: capiKubeconfigLocation,
  driftRules: capiDriftRules,
};
