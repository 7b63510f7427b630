import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { eventsExtensionPoint } from '@backstage/plugin-events-node/alpha';
import { createFailClosedGithubValidator, webhookSecrets } from './validator';

/**
 * Guards `POST /api/events/http/github`. When a secret is configured the
 * upstream GitHub module registers an equivalent validator for the same
 * topic; whichever the events backend keeps, a delivery without a valid
 * signature is refused.
 *
 * @public
 */
export const eventsModuleSpotguidesGithubSignature = createBackendModule({
  pluginId: 'events',
  moduleId: 'spotguides-github-signature',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        events: eventsExtensionPoint,
      },
      async init({ config, logger, events }) {
        const secrets = webhookSecrets(config);
        if (secrets.length === 0) {
          logger.warn(
            'No GitHub webhook secret configured (events.modules.github.webhookSecret): every GitHub delivery will be refused',
          );
        }
        events.addHttpPostIngress({
          topic: 'github',
          validator: createFailClosedGithubValidator(secrets),
        });
      },
    });
  },
});
