import { DatabaseService, LoggerService } from '@backstage/backend-plugin-api';
import express from 'express';
import Router from 'express-promise-router';

export interface RouterOptions {
  logger: LoggerService;
  database: DatabaseService;
}

export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { logger, database } = options;
  const router = Router();
  router.use(express.json());

  // Liveness of the plugin and of its own database.
  router.get('/health', async (_req, res) => {
    try {
      const knex = await database.getClient();
      await knex.raw('select 1');
      res.json({ status: 'ok', database: 'ok' });
    } catch (error) {
      logger.warn(`health check: database unavailable: ${error}`);
      res.status(503).json({ status: 'error', database: 'unavailable' });
    }
  });

  return router;
}
