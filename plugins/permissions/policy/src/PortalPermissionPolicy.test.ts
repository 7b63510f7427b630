import { ConfigReader } from '@backstage/config';
import {
  AuthorizeResult,
  createPermission,
} from '@backstage/plugin-permission-common';
import { PolicyQueryUser } from '@backstage/plugin-permission-node';
import {
  catalogEntityDeletePermission,
  catalogEntityReadPermission,
  catalogLocationDeletePermission,
} from '@backstage/plugin-catalog-common/alpha';
import { templateManagementPermission } from '@backstage/plugin-scaffolder-common/alpha';
import {
  clusterCreatePermission,
  clusterDeletePermission,
  clusterKubeconfigReadPermission,
  clusterKubernetesAccessPermission,
  clusterReadPermission,
  clusterUpdatePermission,
  kubernetesDeclaredClusterAccessPermission,
  namespaceCreatePermission,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import {
  integratedServiceActivatePermission,
  integratedServiceDeactivatePermission,
  integratedServiceReadPermission,
  integratedServiceUpdatePermission,
} from '@pipeline-portal/plugin-integrated-services-common';
import {
  spotguidesDeliveryReadPermission,
  spotguidesExplainPermission,
  spotguidesRepositoryBindPermission,
  spotguidesRunReadPermission,
  spotguidesUnclaimedDeliveryReadPermission,
} from '@pipeline-portal/plugin-spotguides-common';
import { PortalPermissionPolicy } from './PortalPermissionPolicy';
import { RoleAssignments } from './roles';

function userOf(userEntityRef: string, groups: string[]): PolicyQueryUser {
  return {
    identity: {
      type: 'user',
      userEntityRef,
      ownershipEntityRefs: [userEntityRef, ...groups],
    },
    info: { userEntityRef, ownershipEntityRefs: [userEntityRef, ...groups] },
    token: 'token',
    credentials: {
      $$type: '@backstage/BackstageCredentials',
      principal: { type: 'user', userEntityRef },
    },
  } as unknown as PolicyQueryUser;
}

const policy = new PortalPermissionPolicy(
  RoleAssignments.fromConfig(
    new ConfigReader({
      pipelinePortal: {
        permission: { admins: ['group:default/platform', 'user:default/root'] },
      },
    }),
  ),
);

const alice = userOf('user:default/alice', ['group:default/platform']);
const bob = userOf('user:default/bob', ['group:default/payments']);

describe('PortalPermissionPolicy', () => {
  it('allows a member of an admin group everything, admin-only permissions included', async () => {
    for (const permission of [
      catalogLocationDeletePermission,
      templateManagementPermission,
      catalogEntityDeletePermission,
    ]) {
      await expect(policy.handle({ permission }, alice)).resolves.toEqual({
        result: AuthorizeResult.ALLOW,
      });
    }
  });

  it('grants the admin role to a user named directly in config', async () => {
    const root = userOf('user:default/root', []);
    await expect(
      policy.handle({ permission: catalogLocationDeletePermission }, root),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
  });

  it('denies members the admin-only permissions', async () => {
    await expect(
      policy.handle({ permission: catalogLocationDeletePermission }, bob),
    ).resolves.toEqual({ result: AuthorizeResult.DENY });
    await expect(
      policy.handle({ permission: templateManagementPermission }, bob),
    ).resolves.toEqual({ result: AuthorizeResult.DENY });
    await expect(
      policy.handle(
        { permission: kubernetesDeclaredClusterAccessPermission },
        bob,
      ),
    ).resolves.toEqual({ result: AuthorizeResult.DENY });
  });

  it('lets members delete only catalog entities their groups own', async () => {
    const decision = await policy.handle(
      { permission: catalogEntityDeletePermission },
      bob,
    );
    expect(decision).toMatchObject({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'catalog',
      resourceType: 'catalog-entity',
      conditions: {
        rule: 'IS_ENTITY_OWNER',
        params: {
          claims: ['user:default/bob', 'group:default/payments'],
        },
      },
    });
  });

  it('lets members bind repositories only to components their groups own, and read spotguides data of what the catalog shows them', async () => {
    await expect(
      policy.handle({ permission: spotguidesRepositoryBindPermission }, bob),
    ).resolves.toMatchObject({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'catalog',
      resourceType: 'catalog-entity',
      conditions: {
        rule: 'IS_ENTITY_OWNER',
        params: { claims: ['user:default/bob', 'group:default/payments'] },
      },
    });
    await expect(
      policy.handle({ permission: spotguidesRepositoryBindPermission }, alice),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
    for (const permission of [
      spotguidesDeliveryReadPermission,
      spotguidesRunReadPermission,
      spotguidesExplainPermission,
    ]) {
      await expect(policy.handle({ permission }, bob)).resolves.toEqual({
        result: AuthorizeResult.ALLOW,
      });
    }
    await expect(
      policy.handle(
        { permission: spotguidesUnclaimedDeliveryReadPermission },
        bob,
      ),
    ).resolves.toEqual({ result: AuthorizeResult.DENY });
  });

  it('allows members to read the catalog and use other permissions', async () => {
    await expect(
      policy.handle({ permission: catalogEntityReadPermission }, bob),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
    const other = createPermission({
      name: 'some.plugin.action',
      attributes: { action: 'create' },
    });
    await expect(policy.handle({ permission: other }, bob)).resolves.toEqual({
      result: AuthorizeResult.ALLOW,
    });
  });

  it('lets members update, delete and read kubeconfigs only of clusters their groups own', async () => {
    for (const permission of [
      clusterUpdatePermission,
      clusterDeletePermission,
      clusterKubeconfigReadPermission,
      namespaceCreatePermission,
      clusterKubernetesAccessPermission,
    ]) {
      await expect(policy.handle({ permission }, bob)).resolves.toEqual({
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'pipeline-clusters',
        resourceType: 'pipeline-cluster',
        conditions: {
          rule: 'IS_CLUSTER_OWNER',
          resourceType: 'pipeline-cluster',
          params: { claims: ['user:default/bob', 'group:default/payments'] },
        },
      });
      await expect(policy.handle({ permission }, alice)).resolves.toEqual({
        result: AuthorizeResult.ALLOW,
      });
    }
    for (const permission of [clusterReadPermission, clusterCreatePermission]) {
      await expect(policy.handle({ permission }, bob)).resolves.toEqual({
        result: AuthorizeResult.ALLOW,
      });
    }
  });

  it('lets members activate, update and deactivate services only on clusters their groups own', async () => {
    for (const permission of [
      integratedServiceActivatePermission,
      integratedServiceUpdatePermission,
      integratedServiceDeactivatePermission,
    ]) {
      await expect(policy.handle({ permission }, bob)).resolves.toEqual({
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'integrated-services',
        resourceType: 'integrated-service-instance',
        conditions: {
          rule: 'IS_CLUSTER_OWNER',
          resourceType: 'integrated-service-instance',
          params: { claims: ['user:default/bob', 'group:default/payments'] },
        },
      });
      await expect(policy.handle({ permission }, alice)).resolves.toEqual({
        result: AuthorizeResult.ALLOW,
      });
    }
    await expect(
      policy.handle({ permission: integratedServiceReadPermission }, bob),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
  });

  it('denies a request without a user', async () => {
    await expect(
      policy.handle({ permission: catalogEntityReadPermission }),
    ).resolves.toEqual({ result: AuthorizeResult.DENY });
  });

  it('refuses an admin entry that is not an entity ref, naming the key', () => {
    expect(() =>
      RoleAssignments.fromConfig(
        new ConfigReader({
          pipelinePortal: { permission: { admins: ['platform'] } },
        }),
      ),
    ).toThrow(/pipelinePortal\.permission\.admins\[0\]/);
  });
});
