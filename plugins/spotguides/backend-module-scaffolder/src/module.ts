import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { ScmIntegrations } from '@backstage/integration';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import {
  createRepositoryBindAction,
  createWebhookCreateAction,
  readWebhookSettings,
} from './actions';

/**
 * Scaffolder actions of the spotguides: `spotguides:webhook:create` and
 * `spotguides:repository:bind`.
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
        auth: coreServices.auth,
        discovery: coreServices.discovery,
      },
      async init({ scaffolder, config, auth, discovery }) {
        const integrations = ScmIntegrations.fromConfig(config);
        scaffolder.addActions(
          createWebhookCreateAction({
            integrations,
            settings: readWebhookSettings(config),
            auth,
            discovery,
          }),
          createRepositoryBindAction({ auth, discovery, integrations }),
        );
      },
    });
  },
});
