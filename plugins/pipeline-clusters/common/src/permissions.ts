import { createPermission } from '@backstage/plugin-permission-common';

/** The resource type of clusters in permission rules. */
export const CLUSTER_RESOURCE_TYPE = 'pipeline-cluster';

export const clusterCreatePermission = createPermission({
  name: 'cluster.create',
  attributes: { action: 'create' },
});

/** A permission on one cluster, so that rules (e.g. its owner) apply. */
const onCluster = (
  name: string,
  action: 'create' | 'read' | 'update' | 'delete',
) =>
  createPermission({
    name,
    attributes: { action },
    resourceType: CLUSTER_RESOURCE_TYPE,
  });

export const clusterReadPermission = onCluster('cluster.read', 'read');
export const clusterUpdatePermission = onCluster('cluster.update', 'update');
export const clusterDeletePermission = onCluster('cluster.delete', 'delete');
export const clusterKubeconfigReadPermission = onCluster(
  'cluster.kubeconfig.read',
  'read',
);
export const namespaceCreatePermission = onCluster(
  'namespace.create',
  'create',
);
/**
 * Reaching a portal cluster through Backstage's Kubernetes plugin (its proxy,
 * cluster list and workload reads), which uses the portal's own credential
 * for the cluster: owners and admins only.
 */
export const clusterKubernetesAccessPermission = onCluster(
  'cluster.kubernetes.access',
  'read',
);

/**
 * Reaching a cluster declared in the Kubernetes plugin's own config (or the
 * catalog) whose auth provider lends a server-side credential: such a cluster
 * has no owner to decide on, so only admins reach it.
 */
export const kubernetesDeclaredClusterAccessPermission = createPermission({
  name: 'kubernetes.declared-cluster.access',
  attributes: { action: 'read' },
});

/** Adding, listing and deleting cloud credentials of one's groups. */
export const secretManagePermission = createPermission({
  name: 'secret.manage',
  attributes: { action: 'update' },
});

export const clusterPermissions = [
  clusterCreatePermission,
  clusterReadPermission,
  clusterUpdatePermission,
  clusterDeletePermission,
  clusterKubeconfigReadPermission,
  namespaceCreatePermission,
  secretManagePermission,
  clusterKubernetesAccessPermission,
  kubernetesDeclaredClusterAccessPermission,
];

/** Permissions that members hold only on clusters one of their groups owns. */
export const ownerScopedClusterPermissions = [
  clusterUpdatePermission,
  clusterDeletePermission,
  clusterKubeconfigReadPermission,
  namespaceCreatePermission,
  clusterKubernetesAccessPermission,
];

/** The permission rule that limits members to their groups' clusters. */
export const CLUSTER_OWNER_RULE = 'IS_CLUSTER_OWNER';

/** The condition a policy returns for "owned by one of these refs". */
export function clusterOwnerCondition(claims: string[]) {
  return {
    rule: CLUSTER_OWNER_RULE,
    resourceType: CLUSTER_RESOURCE_TYPE,
    params: { claims },
  };
}
