import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  catalogEntityCreatePermission,
  catalogLocationDeletePermission,
} from '@backstage/plugin-catalog-common/alpha';
import permissionPlugin from '@backstage/plugin-permission-backend';
import request from 'supertest';
import { permissionModulePortalPolicy } from './module';

describe('permissionModulePortalPolicy', () => {
  async function authorize(userEntityRef: string, permissions: object[]) {
    const { server } = await startTestBackend({
      features: [
        permissionPlugin,
        permissionModulePortalPolicy,
        mockServices.rootConfig.factory({
          data: {
            permission: { enabled: true },
            pipelinePortal: { permission: { admins: ['user:default/alice'] } },
          },
        }),
      ],
    });
    const res = await request(server)
      .post('/api/permission/authorize')
      .set('Authorization', mockCredentials.user.header(userEntityRef))
      .send({
        items: permissions.map((permission, i) => ({
          id: String(i),
          permission,
        })),
      });
    expect(res.status).toBe(200);
    return res.body.items.map((item: { result: string }) => item.result);
  }

  it('decides with the portal policy once installed in the permission backend', async () => {
    await expect(
      authorize('user:default/bob', [
        catalogEntityCreatePermission,
        catalogLocationDeletePermission,
      ]),
    ).resolves.toEqual(['ALLOW', 'DENY']);
  });

  it('lets an admin from config delete locations', async () => {
    await expect(
      authorize('user:default/alice', [catalogLocationDeletePermission]),
    ).resolves.toEqual(['ALLOW']);
  });
});
