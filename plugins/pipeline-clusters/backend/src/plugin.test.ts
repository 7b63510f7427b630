import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import request from 'supertest';
import { secretStoreConfig } from './__testUtils__/fixtures';
import { pipelineClustersPlugin } from './plugin';

const config = mockServices.rootConfig.factory({ data: secretStoreConfig });

describe('pipelineClustersPlugin', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  // Each backend stops before the databases go (the automatic stop comes
  // after them): its scheduled reconciler must not outlive its database.
  const backends: Array<{ stop(): Promise<void> }> = [];
  const start = async (...args: Parameters<typeof startTestBackend>) => {
    const backend = await startTestBackend(...args);
    backends.push(backend);
    return backend;
  };
  afterEach(async () => {
    await Promise.all(backends.splice(0).map(b => b.stop()));
  });

  // Whether PostgreSQL is among the databases in CI is checked in
  // @pipeline-portal/backend-health.
  it.each(databases.eachSupportedId())(
    'starts with its migrations and answers its health route without credentials on %s',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { server } = await start({
        features: [
          pipelineClustersPlugin,
          config,
          mockServices.database.factory({ knex }),
        ],
      });

      const res = await request(server).get('/api/pipeline-clusters/health');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ok', database: 'ok' });
    },
  );

  it('answers 503 when its database becomes unavailable', async () => {
    const knex = await databases.init('SQLITE_3');
    let available = true;
    const { server } = await start({
      features: [
        pipelineClustersPlugin,
        config,
        mockServices.database.mock({
          getClient: async () => {
            if (!available) throw new Error('connection refused');
            return knex;
          },
        }).factory,
      ],
    });
    available = false;

    const res = await request(server).get('/api/pipeline-clusters/health');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'error', database: 'unavailable' });
  });

  it('refuses invalid credentials on any other route', async () => {
    const { server } = await start({
      features: [pipelineClustersPlugin, config],
    });

    const res = await request(server)
      .get('/api/pipeline-clusters/clusters')
      .set('Authorization', mockCredentials.user.invalidHeader());
    expect(res.status).toBe(401);
  });
});
