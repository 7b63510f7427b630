import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { IntegratedServicesClient } from '@pipeline-portal/plugin-integrated-services-common';
import {
  createActivateAction,
  createDeactivateAction,
  createUpdateAction,
} from './actions';

/**
 * Scaffolder actions of the integrated-services plugin. They call its REST
 * API on behalf of the user who runs the template.
 *
 * @public
 */
export const scaffolderModuleIntegratedServices = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'integrated-services',
  register({ registerInit }) {
    registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
      },
      async init({ scaffolder, discovery, auth }) {
        const client = new IntegratedServicesClient({
          discoveryApi: discovery,
        });
        const options = { client, auth };
        scaffolder.addActions(
          createActivateAction(options),
          createUpdateAction(options),
          createDeactivateAction(options),
        );
      },
    });
  },
});
