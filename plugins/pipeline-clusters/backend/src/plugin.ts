import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { createRouter } from './router';

/**
 * Pipeline clusters: provisions, imports and manages Kubernetes clusters.
 *
 * @public
 */
export const pipelineClustersPlugin = createBackendPlugin({
  pluginId: 'pipeline-clusters',
  register(env) {
    env.registerInit({
      deps: {
        httpRouter: coreServices.httpRouter,
        logger: coreServices.logger,
        database: coreServices.database,
      },
      async init({ httpRouter, logger, database }) {
        httpRouter.use(await createRouter({ logger, database }));
        // Liveness of the plugin itself, for probes and the wiring test.
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
      },
    });
  },
});
