/**
 * OKE through Cluster API Provider OCI (CAPOCI v1beta2): OCIManagedCluster +
 * OCIManagedControlPlane + one OCIManagedMachinePool per node pool.
 *
 * Mapping:
 * - region -> OCIManagedCluster.region; compartment from
 *   RenderContext.cloud.ociCompartmentId (omitted when unknown).
 * - version: OKE only takes full versions: `v1.32.1` (OKE_PATCH below names
 *   the patch per minor). readStatus compares minors.
 * - machineType -> nodeShape.
 * - min/max: OKE has no managed autoscaler: the cluster-autoscaler
 *   annotations on the MachinePool; desired -> replicas.
 * - labels -> initialNodeLabels ([{key, value}]).
 * - taints: OKE node pools have no taint field: they go to the core
 *   MachinePool's taints, which Cluster API keeps on the nodes (Always).
 * - credential: an OCIClusterIdentity (UserPrincipal) reading a Secret with
 *   tenancy, user, key, fingerprint, passphrase and region.
 */
import { NodePool } from '@pipeline-portal/plugin-pipeline-clusters-common';
import { capiDistribution, INFRA_GROUP } from './clusterApi';
import { portalLabels } from './labels';
import { asObject, compact, Manifest } from './model';
import { credentialSecret, labelList } from './parts';

const CAPOCI_API = `${INFRA_GROUP}/v1beta2`;

/** Patch release used for each minor (OKE rejects minor-only versions). */
export const OKE_PATCH: Record<string, number> = {
  '1.31': 1,
  '1.32': 1,
  '1.33': 1,
};

export const okeVersion = (minor: string) =>
  `v${minor}.${OKE_PATCH[minor] ?? 1}`;

export interface OCIManagedClusterSpec {
  region: string;
  compartmentId?: string;
  identityRef: {
    apiVersion: string;
    kind: 'OCIClusterIdentity';
    name: string;
    namespace: string;
  };
}

export interface OCIManagedControlPlaneSpec {
  version: string;
}

export interface OCIManagedMachinePoolSpec {
  version: string;
  nodeShape: string;
  initialNodeLabels?: Array<{ key: string; value: string }>;
}

export interface OCIClusterIdentitySpec {
  type: 'UserPrincipal';
  principalSecret: { name: string; namespace: string };
  allowedNamespaces: { list: string[] };
}

function machinePoolSpec(
  pool: NodePool,
  version: string,
): OCIManagedMachinePoolSpec {
  return compact({
    version,
    nodeShape: pool.machineType,
    initialNodeLabels: labelList(pool),
  });
}

export const oke = capiDistribution({
  id: 'oke',

  render(spec, ctx) {
    const version = okeVersion(spec.kubernetesVersion);
    const infraCluster: OCIManagedClusterSpec = compact({
      region: spec.region,
      compartmentId: ctx.cloud?.ociCompartmentId,
      identityRef: {
        apiVersion: CAPOCI_API,
        kind: 'OCIClusterIdentity' as const,
        name: ctx.credentialSecretName,
        namespace: ctx.namespace,
      },
    });
    return {
      infraCluster: {
        apiVersion: CAPOCI_API,
        kind: 'OCIManagedCluster',
        spec: infraCluster,
      },
      controlPlane: {
        apiVersion: CAPOCI_API,
        kind: 'OCIManagedControlPlane',
        spec: { version } satisfies OCIManagedControlPlaneSpec,
      },
      pool: pool => ({
        infraPool: {
          apiVersion: CAPOCI_API,
          kind: 'OCIManagedMachinePool',
          spec: machinePoolSpec(pool, version),
        },
        machinePool: {
          version,
          autoscalerAnnotations: true,
          taints: pool.taints.map(t => ({
            ...t,
            propagation: 'Always' as const,
          })),
        },
      }),
    };
  },

  credentialObjects(spec, ctx, value) {
    const identity: Manifest<OCIClusterIdentitySpec> = {
      apiVersion: CAPOCI_API,
      kind: 'OCIClusterIdentity',
      metadata: {
        name: ctx.credentialSecretName,
        namespace: ctx.namespace,
        labels: portalLabels(spec),
      },
      spec: {
        type: 'UserPrincipal',
        principalSecret: {
          name: ctx.credentialSecretName,
          namespace: ctx.namespace,
        },
        allowedNamespaces: { list: [ctx.namespace] },
      },
    };
    const data: Record<string, string> = {
      tenancy: value.tenancy,
      user: value.user,
      key: value.privateKey,
      fingerprint: value.fingerprint,
      region: value.region,
    };
    if (value.passphrase) data.passphrase = value.passphrase;
    return [credentialSecret(spec, ctx, data), asObject(identity)];
  },
});
