import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { Router } from 'express';
import request from 'supertest';
import { databaseHealth } from './databaseHealth';

/** A plugin serving nothing but the health route, as the portal's do. */
const probed = createBackendPlugin({
  pluginId: 'probed',
  register(env) {
    env.registerInit({
      deps: {
        httpRouter: coreServices.httpRouter,
        logger: coreServices.logger,
        database: coreServices.database,
      },
      async init({ httpRouter, logger, database }) {
        const router = Router();
        router.get('/health', databaseHealth({ logger, database }));
        httpRouter.use(router);
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
      },
    });
  },
});

describe('databaseHealth', () => {
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
    'answers 200 without credentials when the database answers on %s',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { server } = await startTestBackend({
        features: [probed, mockServices.database.factory({ knex })],
      });

      const res = await request(server).get('/api/probed/health');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ok', database: 'ok' });
    },
  );

  it('answers 503 without the cause when the database is unavailable, and logs it', async () => {
    const logger = mockServices.logger.mock();
    const { server } = await startTestBackend({
      features: [
        probed,
        logger.factory,
        mockServices.database.mock({
          getClient: async () => {
            throw new Error('connection refused by db.internal:5432');
          },
        }).factory,
      ],
    });

    const res = await request(server).get('/api/probed/health');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'error', database: 'unavailable' });
    expect(res.text).not.toContain('db.internal');
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('connection refused by db.internal:5432'),
    );
  });
});
