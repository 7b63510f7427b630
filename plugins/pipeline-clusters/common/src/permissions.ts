import { createPermission } from '@backstage/plugin-permission-common';

/** The resource type of clusters in permission rules. */
export const CLUSTER_RESOURCE_TYPE = 'pipeline-cluster';

export const clusterCreatePermission = createPermission({
  name: 'cluster.create',
  attributes: { action: 'create' },
});

export const clusterReadPermission = createPermission({
  name: 'cluster.read',
  attributes: { action: 'read' },
  resourceType: CLUSTER_RESOURCE_TYPE,
});

export const clusterUpdatePermission = createPermission({
  name: 'cluster.update',
  attributes: { action: 'update' },
  resourceType: CLUSTER_RESOURCE_TYPE,
});

export const clusterDeletePermission = createPermission({
  name: 'cluster.delete',
  attributes: { action: 'delete' },
  resourceType: CLUSTER_RESOURCE_TYPE,
});

export const clusterKubeconfigReadPermission = createPermission({
  name: 'cluster.kubeconfig.read',
  attributes: { action: 'read' },
  resourceType: CLUSTER_RESOURCE_TYPE,
});

export const namespaceCreatePermission = createPermission({
  name: 'namespace.create',
  attributes: { action: 'create' },
  resourceType: CLUSTER_RESOURCE_TYPE,
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
];

/** Permissions that members hold only on clusters one of their groups owns. */
export const ownerScopedClusterPermissions = [
  clusterUpdatePermission,
  clusterDeletePermission,
  clusterKubeconfigReadPermission,
  namespaceCreatePermission,
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
