import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { PipelineClustersEntityProvider } from './PipelineClustersEntityProvider';

/**
 * Adds the portal's clusters to the catalog as `kubernetes-cluster` Resources.
 *
 * @public
 */
export const catalogModulePipelineClusters = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'pipeline-clusters',
  register(env) {
    env.registerInit({
      deps: {
        catalog: catalogProcessingExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
      },
      async init({ catalog, config, logger, scheduler, discovery, auth }) {
        catalog.addEntityProvider(
          PipelineClustersEntityProvider.fromConfig(config, {
            logger,
            scheduler,
            discovery,
            auth,
          }),
        );
      },
    });
  },
});
