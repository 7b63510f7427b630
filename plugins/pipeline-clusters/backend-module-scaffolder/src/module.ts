import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { PipelineClustersClient } from '@pipeline-portal/plugin-pipeline-clusters-common';
import {
  createClusterCreateAction,
  createClusterDeleteAction,
  createClusterImportAction,
  createClusterUpdateAction,
  createClusterWaitAction,
  createNamespaceCreateAction,
} from './actions';

/**
 * Scaffolder actions of the pipeline-clusters plugin. They call its REST API
 * on behalf of the user who runs the template.
 *
 * @public
 */
export const scaffolderModulePipelineClusters = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'pipeline-clusters',
  register({ registerInit }) {
    registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
      },
      async init({ scaffolder, discovery, auth }) {
        const client = new PipelineClustersClient({ discoveryApi: discovery });
        const options = { client, auth };
        scaffolder.addActions(
          createClusterCreateAction(options),
          createClusterImportAction(options),
          createClusterUpdateAction(options),
          createClusterDeleteAction(options),
          createClusterWaitAction(options),
          createNamespaceCreateAction(options),
        );
      },
    });
  },
});
