import {
  AuthorizeResult,
  isPermission,
  isResourcePermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import {
  catalogEntityDeletePermission,
  catalogLocationDeletePermission,
} from '@backstage/plugin-catalog-common/alpha';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import { templateManagementPermission } from '@backstage/plugin-scaffolder-common/alpha';
import {
  clusterOwnerCondition,
  kubernetesDeclaredClusterAccessPermission,
  ownerScopedClusterPermissions,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import {
  integratedServiceOwnerCondition,
  ownerScopedIntegratedServicePermissions,
} from '@pipeline-portal/plugin-integrated-services-common';
import {
  spotguidesRepositoryBindPermission,
  spotguidesUnclaimedDeliveryReadPermission,
} from '@pipeline-portal/plugin-spotguides-common';
import { RoleAssignments } from './roles';

/** Permissions only admins hold, whatever they apply to. */
const adminOnly = [
  catalogLocationDeletePermission,
  templateManagementPermission,
  kubernetesDeclaredClusterAccessPermission,
  spotguidesUnclaimedDeliveryReadPermission,
];

/** Permissions on catalog entities that members hold only on what they own. */
const ownedEntityOnly = [
  catalogEntityDeletePermission,
  spotguidesRepositoryBindPermission,
];

/**
 * The portal's policy: admins (from config) are allowed everything; members may
 * read and create, delete only catalog entities their groups own, bind
 * repositories only to components their groups own, manage and reach only
 * clusters (and the integrated services on them) their groups own, and never
 * the admin-only permissions above. Callers without a user (other backend
 * plugins acting on their own behalf) are decided by the framework before
 * this.
 */
export class PortalPermissionPolicy implements PermissionPolicy {
  constructor(private readonly roles: RoleAssignments) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (!user) {
      return { result: AuthorizeResult.DENY };
    }
    const ownership = user.info.ownershipEntityRefs ?? [];
    if (this.roles.roleOf(ownership) === 'admin') {
      return { result: AuthorizeResult.ALLOW };
    }

    const { permission } = request;
    if (adminOnly.some(p => isPermission(permission, p))) {
      return { result: AuthorizeResult.DENY };
    }
    const owned = ownedEntityOnly.find(p => isPermission(permission, p));
    if (owned && isResourcePermission(permission, 'catalog-entity')) {
      return createCatalogConditionalDecision(
        permission,
        catalogConditions.isEntityOwner({ claims: ownership }),
      );
    }
    const scoped = ownerScopedClusterPermissions.find(p =>
      isPermission(permission, p),
    );
    if (scoped && isResourcePermission(permission, scoped.resourceType)) {
      return {
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'pipeline-clusters',
        resourceType: scoped.resourceType,
        conditions: clusterOwnerCondition(ownership),
      };
    }
    const service = ownerScopedIntegratedServicePermissions.find(p =>
      isPermission(permission, p),
    );
    if (service && isResourcePermission(permission, service.resourceType)) {
      return {
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'integrated-services',
        resourceType: service.resourceType,
        conditions: integratedServiceOwnerCondition(ownership),
      };
    }
    return { result: AuthorizeResult.ALLOW };
  }
}
