import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { IntegratedServiceEntityProcessor } from './IntegratedServiceEntityProcessor';
import { ServiceInstanceEntityProvider } from './ServiceInstanceEntityProvider';

/**
 * Teaches the catalog the `IntegratedService` kind, and adds each service
 * instance on a cluster as an `integrated-service` Resource.
 *
 * @public
 */
export const catalogModuleIntegratedServices = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'integrated-services',
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
        catalog.addProcessor(new IntegratedServiceEntityProcessor());
        catalog.addEntityProvider(
          ServiceInstanceEntityProvider.fromConfig(config, {
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
