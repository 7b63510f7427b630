import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { ScmIntegrations } from '@backstage/integration';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createWebhookCreateAction, readWebhookSettings } from './actions';

/**
 * Scaffolder actions of the spotguides: `spotguides:webhook:create`.
 *
 * @public
 */
export const scaffolderModuleSpotguides = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'spotguides',
  register({ registerInit }) {
    registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        config: coreServices.rootConfig,
      },
      async init({ scaffolder, config }) {
        scaffolder.addActions(
          createWebhookCreateAction({
            integrations: ScmIntegrations.fromConfig(config),
            settings: readWebhookSettings(config),
          }),
        );
      },
    });
  },
});
