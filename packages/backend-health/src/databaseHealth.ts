import { DatabaseService, LoggerService } from '@backstage/backend-plugin-api';
import { RequestHandler } from 'express';

/**
 * A `/health` handler: 200 when the plugin's own database answers, else 503.
 * The cause goes to the log only; probes and browsers get no detail.
 * Register it with `httpRouter.addAuthPolicy({ path: '/health', allow:
 * 'unauthenticated' })` so that probes need no token.
 */
export function databaseHealth(options: {
  logger: LoggerService;
  database: DatabaseService;
}): RequestHandler {
  const { logger, database } = options;
  return async (_req, res) => {
    try {
      const knex = await database.getClient();
      await knex.raw('select 1');
      res.json({ status: 'ok', database: 'ok' });
    } catch (error) {
      logger.warn(`health check: database unavailable: ${error}`);
      res.status(503).json({ status: 'error', database: 'unavailable' });
    }
  };
}
