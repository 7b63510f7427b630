import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { createRouter } from './router';

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
      },
      async init({ httpRouter, logger }) {
        httpRouter.use(await createRouter({ logger }));
        // Liveness of the plugin itself, for probes and the wiring test.
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
      },
    });
  },
});
