import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { databaseHealth } from '@pipeline-portal/backend-health';
import Router from 'express-promise-router';

/**
 * Integrated services: activates monitoring, logging, DNS and other services on clusters.
 *
 * @public
 */
export const integratedServicesPlugin = createBackendPlugin({
  pluginId: 'integrated-services',
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
        // Liveness of the plugin and its database, for probes.
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
      },
    });
  },
});
