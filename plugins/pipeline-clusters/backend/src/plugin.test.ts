import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import request from 'supertest';
import { pipelineClustersPlugin } from './plugin';

describe('pipelineClustersPlugin', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  it('runs its database tests on PostgreSQL too wherever CI runs', () => {
    // TestDatabases silently drops an engine it cannot reach; CI must not.
    const required = process.env.CI
      ? ['POSTGRES_15', 'SQLITE_3']
      : ['SQLITE_3'];
    const ids = databases.eachSupportedId().map(([id]) => id);
    expect(ids).toEqual(expect.arrayContaining(required));
  });

  it.each(databases.eachSupportedId())(
    'answers its health route without credentials, checking its database on %s',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { server } = await startTestBackend({
        features: [
          pipelineClustersPlugin,
          mockServices.database.factory({ knex }),
        ],
      });

      const res = await request(server).get('/api/pipeline-clusters/health');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ok', database: 'ok' });
    },
  );

  it('answers 503 when its database is unavailable', async () => {
    const { server } = await startTestBackend({
      features: [
        pipelineClustersPlugin,
        mockServices.database.mock({
          getClient: async () => {
            throw new Error('connection refused');
          },
        }).factory,
      ],
    });

    const res = await request(server).get('/api/pipeline-clusters/health');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'error', database: 'unavailable' });
  });

  it('refuses invalid credentials on any other route', async () => {
    const { server } = await startTestBackend({
      features: [pipelineClustersPlugin],
    });

    const res = await request(server)
      .get('/api/pipeline-clusters/anything')
      .set('Authorization', mockCredentials.user.invalidHeader());
    expect(res.status).toBe(401);
  });
});
