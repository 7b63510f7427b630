/**
 * GKE through Cluster API Provider GCP (CAPG v1beta1): GCPManagedCluster +
 * GCPManagedControlPlane + one GCPManagedMachinePool per node pool.
 *
 * Mapping:
 * - region -> GCPManagedCluster.region and the control plane `location`: a
 *   regional cluster (GKE then places pool sizes in each of its zones).
 * - project: required by CAPG, not in the spec: RenderContext.cloud.gcpProject
 *   (the service account key's project_id).
 * - version: GKE and CAPG take `1.32` (GKE picks the patch).
 * - machineType -> machineType; the GKE node pool is named after the pool.
 * - min/max -> GKE's autoscaler (scaling.enableAutoscaling, minCount,
 *   maxCount; CAPG enables it unless told otherwise); desired -> replicas.
 * - labels -> kubernetesLabels; taints -> kubernetesTaints (same effect
 *   spelling, value required: '' when none).
 * - credential: a Secret with the key JSON under `credentials`, referenced
 *   by GCPManagedCluster.credentialsRef.
 */
import {
  ClusterSpec,
  NodePool,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { capiDistribution, INFRA_GROUP } from './clusterApi';
import { compact, field } from './model';
import {
  credentialSecret,
  labelMap,
  scaleBounds,
  taintsWithValue,
} from './parts';
import { RenderContext } from './types';

const CAPG_API = `${INFRA_GROUP}/v1beta1`;

export interface GCPManagedClusterSpec {
  project: string;
  region: string;
  credentialsRef: { name: string; namespace: string };
}

export interface GCPManagedControlPlaneSpec {
  project: string;
  location: string;
  clusterName: string;
  version: string;
}

export interface GCPManagedMachinePoolSpec {
  nodePoolName: string;
  machineType: string;
  scaling: { enableAutoscaling: boolean; minCount?: number; maxCount?: number };
  kubernetesLabels?: Record<string, string>;
  kubernetesTaints?: Array<{ key: string; value: string; effect: string }>;
}

export const gkeVersion = (minor: string) => minor;

/** GKE cluster names: a letter first, at most 40 characters. */
export function gkeClusterName(name: string): string {
  return (/^[a-z]/.test(name) ? name : `c-${name}`)
    .slice(0, 40)
    .replace(/-+$/, '');
}

function project(spec: ClusterSpec, ctx: RenderContext): string {
  const value = ctx.cloud?.gcpProject;
  if (!value) {
    throw new Error(
      `cluster ${spec.name}: GKE needs the Google Cloud project (RenderContext.cloud.gcpProject)`,
    );
  }
  return value;
}

function machinePoolSpec(pool: NodePool): GCPManagedMachinePoolSpec {
  const bounds = scaleBounds(pool);
  return compact({
    nodePoolName: pool.name,
    machineType: pool.machineType,
    scaling: compact({
      enableAutoscaling: bounds.scaled,
      minCount: bounds.min,
      maxCount: bounds.max,
    }),
    kubernetesLabels: labelMap(pool),
    kubernetesTaints: taintsWithValue(pool),
  });
}

export const gke = capiDistribution({
  id: 'gke',

  render(spec, ctx) {
    const version = gkeVersion(spec.kubernetesVersion);
    const gcpProject = project(spec, ctx);
    return {
      infraCluster: {
        apiVersion: CAPG_API,
        kind: 'GCPManagedCluster',
        spec: {
          project: gcpProject,
          region: spec.region,
          credentialsRef: {
            name: ctx.credentialSecretName,
            namespace: ctx.namespace,
          },
        } satisfies GCPManagedClusterSpec,
      },
      controlPlane: {
        apiVersion: CAPG_API,
        kind: 'GCPManagedControlPlane',
        spec: {
          project: gcpProject,
          location: spec.region,
          clusterName: gkeClusterName(spec.name),
          version,
        } satisfies GCPManagedControlPlaneSpec,
      },
      pool: pool => ({
        infraPool: {
          apiVersion: CAPG_API,
          kind: 'GCPManagedMachinePool',
          spec: machinePoolSpec(pool),
        },
        machinePool: { version, autoscalerAnnotations: false },
      }),
    };
  },

  credentialObjects(spec, ctx, value) {
    return [
      credentialSecret(spec, ctx, { credentials: value.serviceAccountKey }),
    ];
  },

  controlPlaneVersion: cp =>
    field<string>(cp, 'status', 'currentVersion') ??
    field<string>(cp, 'status', 'version'),
});
