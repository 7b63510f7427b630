import { mockCredentials } from '@backstage/backend-test-utils';
import { PermissionsService } from '@backstage/backend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { ClusterDetails } from '@backstage/plugin-kubernetes-node';
import { PORTAL_CLUSTER_ANNOTATION } from './auth/ClusterCredentials';
import { callerScoped } from './callerScoped';

const cluster = (name: string, provider: string, portal = false) =>
  ({
    name,
    url: `https://${name}.example.com`,
    authMetadata: {
      'kubernetes.io/auth-provider': provider,
      ...(portal && { [PORTAL_CLUSTER_ANNOTATION]: name }),
    },
  } as ClusterDetails);

const clusters = [
  cluster('owned', 'serviceAccount', true),
  cluster('custom', 'someVendorProvider'),
  cluster('own-token', 'oidc'),
];

describe('callerScoped', () => {
  const user = mockCredentials.user('user:default/bob');

  it('treats an auth provider it does not know as lending the backend credential', async () => {
    const authorize = jest.fn(async (requests: any[]) =>
      requests.map(r => ({
        result:
          r.permission.name === 'cluster.kubernetes.access'
            ? AuthorizeResult.ALLOW
            : AuthorizeResult.DENY,
      })),
    );
    const scoped = callerScoped({ getClusters: async () => clusters }, {
      authorize,
    } as unknown as PermissionsService);
    const names = (await scoped.getClusters({ credentials: user })).map(
      c => c.name,
    );
    expect(names).toEqual(['owned', 'own-token']);
  });

  it('asks again after a failed decision instead of remembering the failure', async () => {
    const authorize = jest
      .fn()
      .mockRejectedValueOnce(new Error('permission backend unavailable'))
      .mockResolvedValue([
        { result: AuthorizeResult.ALLOW },
        { result: AuthorizeResult.ALLOW },
      ]);
    const scoped = callerScoped({ getClusters: async () => clusters }, {
      authorize,
    } as unknown as PermissionsService);
    await expect(scoped.getClusters({ credentials: user })).rejects.toThrow(
      'permission backend unavailable',
    );
    const names = (await scoped.getClusters({ credentials: user })).map(
      c => c.name,
    );
    expect(names).toEqual(['owned', 'custom', 'own-token']);
    // Within the reuse window the same caller costs no second decision.
    await scoped.getClusters({ credentials: user });
    expect(authorize).toHaveBeenCalledTimes(2);
  });

  it('gives a caller without a user only clusters reached with their own token, asking nothing', async () => {
    const authorize = jest.fn();
    const scoped = callerScoped({ getClusters: async () => clusters }, {
      authorize,
    } as unknown as PermissionsService);
    const names = (
      await scoped.getClusters({
        credentials: mockCredentials.service('plugin:catalog'),
      })
    ).map(c => c.name);
    expect(names).toEqual(['own-token']);
    expect(authorize).not.toHaveBeenCalled();
  });
});
