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
import {
  capiDriftRules,
  capiKubeconfigLocation,
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
import { autoscaled } from './status';
import { ClusterDistribution, RenderContext } from './types';

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
  const scaled = autoscaled(pool);
  const spec: GCPManagedMachinePoolSpec = {
    nodePoolName: pool.name,
    machineType: pool.machineType,
    scaling: scaled
      ? {
          enableAutoscaling: true,
          minCount: pool.minSize,
          maxCount: pool.maxSize,
        }
      : { enableAutoscaling: false },
  };
  if (Object.keys(pool.labels).length)
    spec.kubernetesLabels = { ...pool.labels };
  if (pool.taints.length) {
    spec.kubernetesTaints = pool.taints.map(t => ({
      key: t.key,
      value: t.value ?? '',
      effect: t.effect,
    }));
  }
  return spec;
}

export const gke: ClusterDistribution = {
  id: 'gke',
  engine: 'cluster-api',

  render(spec, ctx) {
    const version = gkeVersion(spec.kubernetesVersion);
    const gcpProject = project(spec, ctx);
    const infraCluster: Manifest<GCPManagedClusterSpec> = {
      apiVersion: CAPG_API,
      kind: 'GCPManagedCluster',
      metadata: meta(spec, ctx, infrastructureClusterName(spec)),
      spec: {
        project: gcpProject,
        region: spec.region,
        credentialsRef: {
          name: ctx.credentialSecretName,
          namespace: ctx.namespace,
        },
      },
    };
    const controlPlane: Manifest<GCPManagedControlPlaneSpec> = {
      apiVersion: CAPG_API,
      kind: 'GCPManagedControlPlane',
      metadata: meta(spec, ctx, controlPlaneName(spec)),
      spec: {
        project: gcpProject,
        location: spec.region,
        clusterName: gkeClusterName(spec.name),
        version,
      },
    };
    return renderCapi(spec, ctx, {
      infraCluster: asObject(infraCluster),
      controlPlane: asObject(controlPlane),
      pool: pool => {
        const infraPool: Manifest<GCPManagedMachinePoolSpec> = {
          apiVersion: CAPG_API,
          kind: 'GCPManagedMachinePool',
          metadata: meta(spec, ctx, machinePoolName(spec, pool)),
          spec: machinePoolSpec(pool),
        };
        return {
          infraPool: asObject(infraPool),
          machinePool: { version, autoscalerAnnotations: false },
        };
      },
    });
  },

  credentialObjects(spec, ctx, value) {
    return [
      secret(
        {
          name: ctx.credentialSecretName,
          namespace: ctx.namespace,
          labels: portalLabels(spec),
        },
        { credentials: value.serviceAccountKey },
      ),
    ];
  },

  readStatus(spec, observed) {
    return readCapi(spec, observed, {
      controlPlaneVersion: cp =>
        field<string>(cp, 'status', 'currentVersion') ??
        field<string>(cp, 'status', 'version'),
    });
  },

  kubeconfigLocation: capiKubeconfigLocation,
  driftRules: capiDriftRules,
};
