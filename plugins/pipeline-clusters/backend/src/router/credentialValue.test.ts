import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { PipelineClustersClient } from '@pipeline-portal/plugin-pipeline-clusters-common';
import request from 'supertest';
import {
  authAs,
  expectStatus,
  PortalBackend,
  startPortalBackend,
  USERS,
} from '../__testUtils__/portalBackend';
import { CREDENTIALS } from '../distributions/__testUtils__/harness';

jest.setTimeout(60_000);

const BASE = '/api/pipeline-clusters';
const OWNER = 'group:default/payments';
/** A token of the integrated-services plugin, addressed to this one. */
const service = mockCredentials.service.header({
  onBehalfOf: mockCredentials.service('plugin:integrated-services'),
  targetPluginId: 'pipeline-clusters',
});
const valuePath = (owner: string, name: string) =>
  `${BASE}/credentials/${encodeURIComponent(owner)}/${name}/value`;

describe('GET /credentials/{owner}/{name}/value', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    let backend: PortalBackend;
    const secret = CREDENTIALS.eks.secretAccessKey;

    beforeAll(async () => {
      backend = await startPortalBackend({
        knex: await databases.init(databaseId),
      });
      expectStatus(
        await request(backend.server)
          .post(`${BASE}/credentials`)
          .set('Authorization', authAs(USERS.bob))
          .send({
            name: 'aws-main',
            owner: OWNER,
            kind: 'aws',
            value: CREDENTIALS.eks,
          }),
        201,
      );
    });
    afterAll(() => backend?.stop());

    it('gives a plugin service principal the value, uncached', async () => {
      for (const owner of [OWNER, 'payments']) {
        const res = await request(backend.server)
          .get(valuePath(owner, 'aws-main'))
          .set('Authorization', service);
        expectStatus(res, 200);
        expect(res.body).toEqual({ value: CREDENTIALS.eks });
        expect(res.headers['cache-control']).toBe('no-store');
      }
    });

    it('refuses a user token with 403, even the owner, without the value', async () => {
      for (const user of [USERS.bob, USERS.alice]) {
        const res = await request(backend.server)
          .get(valuePath(OWNER, 'aws-main'))
          .set('Authorization', authAs(user));
        expectStatus(res, 403);
        expect(res.text).not.toContain(secret);
      }
    });

    it('answers 404 for an unknown credential and 400 naming a bad name', async () => {
      const missing = await request(backend.server)
        .get(valuePath(OWNER, 'nope'))
        .set('Authorization', service);
      expectStatus(missing, 404);
      expect(missing.body.error.message).toContain('"nope"');
      const bad = await request(backend.server)
        .get(valuePath(OWNER, 'Not_A_Label'))
        .set('Authorization', service);
      expectStatus(bad, 400);
      expect(bad.body.error.message).toContain('name');
    });

    it('is what PipelineClustersClient.getCredentialValue reads, and never logged', async () => {
      const client = new PipelineClustersClient({
        discoveryApi: { getBaseUrl: async () => `${backend.baseUrl}${BASE}` },
      });
      const token = service.replace(/^Bearer /, '');
      await expect(
        client.getCredentialValue(OWNER, 'aws-main', { token }),
      ).resolves.toEqual({ value: CREDENTIALS.eks });
      await expect(
        client.getCredentialValue(OWNER, 'nope', { token }),
      ).rejects.toMatchObject({ response: { status: 404 } });
      const logs = backend.logs.map(l => JSON.stringify(l));
      expect(logs.length).toBeGreaterThan(0);
      expect(logs.filter(l => l.includes(secret))).toEqual([]);
    });
  });
});
