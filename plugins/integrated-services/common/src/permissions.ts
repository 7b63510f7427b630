import { createPermission } from '@backstage/plugin-permission-common';

/** The resource type of service instances (a service on one cluster) in permission rules. */
export const INTEGRATED_SERVICE_INSTANCE_RESOURCE_TYPE =
  'integrated-service-instance';

export const integratedServiceReadPermission = createPermission({
  name: 'integrated-service.read',
  attributes: { action: 'read' },
  resourceType: INTEGRATED_SERVICE_INSTANCE_RESOURCE_TYPE,
});

export const integratedServiceActivatePermission = createPermission({
  name: 'integrated-service.activate',
  attributes: { action: 'create' },
  resourceType: INTEGRATED_SERVICE_INSTANCE_RESOURCE_TYPE,
});

export const integratedServiceUpdatePermission = createPermission({
  name: 'integrated-service.update',
  attributes: { action: 'update' },
  resourceType: INTEGRATED_SERVICE_INSTANCE_RESOURCE_TYPE,
});

export const integratedServiceDeactivatePermission = createPermission({
  name: 'integrated-service.deactivate',
  attributes: { action: 'delete' },
  resourceType: INTEGRATED_SERVICE_INSTANCE_RESOURCE_TYPE,
});

export const integratedServicePermissions = [
  integratedServiceReadPermission,
  integratedServiceActivatePermission,
  integratedServiceUpdatePermission,
  integratedServiceDeactivatePermission,
];

/** Permissions members hold only on instances of clusters one of their groups owns. */
export const ownerScopedIntegratedServicePermissions = [
  integratedServiceActivatePermission,
  integratedServiceUpdatePermission,
  integratedServiceDeactivatePermission,
];

/** The permission rule that limits members to their groups' clusters' instances. */
export const INTEGRATED_SERVICE_OWNER_RULE = 'IS_CLUSTER_OWNER';

/** The condition a policy returns for "on a cluster owned by one of these refs". */
export function integratedServiceOwnerCondition(claims: string[]) {
  return {
    rule: INTEGRATED_SERVICE_OWNER_RULE,
    resourceType: INTEGRATED_SERVICE_INSTANCE_RESOURCE_TYPE,
    params: { claims },
  };
}
