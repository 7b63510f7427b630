import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { clusterReadPermission } from '@pipeline-portal/plugin-pipeline-clusters-common';
import { ClusterAuthorization } from './authorization';

describe('ClusterAuthorization', () => {
  const conditional = {
    result: AuthorizeResult.CONDITIONAL,
    pluginId: 'pipeline-clusters',
    resourceType: 'pipeline-cluster',
    conditions: {
      rule: 'IS_CLUSTER_OWNER',
      resourceType: 'pipeline-cluster',
      params: { claims: ['group:default/payments'] },
    },
  } as const;

  it('turns an owner condition into a list filter, asking once per user for a few seconds', async () => {
    const permissions = mockServices.permissions.mock({
      authorizeConditional: jest.fn(async () => [conditional]) as any,
    });
    const authorization = new ClusterAuthorization(permissions);
    const bob = mockCredentials.user('user:default/bob');

    await expect(
      authorization.filterFor(clusterReadPermission, bob),
    ).resolves.toEqual({ ownerIn: ['group:default/payments'] });
    await authorization.filterFor(clusterReadPermission, bob);
    expect(permissions.authorizeConditional).toHaveBeenCalledTimes(1);

    await authorization.filterFor(
      clusterReadPermission,
      mockCredentials.user('user:default/carol'),
    );
    expect(permissions.authorizeConditional).toHaveBeenCalledTimes(2);
  });

  it('asks again after a failed permission call', async () => {
    const authorizeConditional = jest
      .fn()
      .mockRejectedValueOnce(new Error('permission backend down'))
      .mockResolvedValue([{ result: AuthorizeResult.ALLOW }]);
    const authorization = new ClusterAuthorization(
      mockServices.permissions.mock({ authorizeConditional }),
    );
    const bob = mockCredentials.user('user:default/bob');

    await expect(
      authorization.filterFor(clusterReadPermission, bob),
    ).rejects.toThrow('permission backend down');
    await expect(
      authorization.filterFor(clusterReadPermission, bob),
    ).resolves.toBeUndefined();
    expect(authorizeConditional).toHaveBeenCalledTimes(2);
  });

  it('decides whether a member may act for an owner from the same condition', async () => {
    const authorization = new ClusterAuthorization(
      mockServices.permissions.mock({
        authorizeConditional: jest.fn(async () => [conditional]) as any,
      }),
    );
    const bob = mockCredentials.user('user:default/bob');
    await expect(
      authorization.mayActFor('group:default/payments', bob),
    ).resolves.toBe(true);
    await expect(
      authorization.mayActFor('group:default/storefront', bob),
    ).resolves.toBe(false);
  });
});
