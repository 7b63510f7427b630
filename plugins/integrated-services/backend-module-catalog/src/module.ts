import { createBackendModule } from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { IntegratedServiceEntityProcessor } from './IntegratedServiceEntityProcessor';

/**
 * Teaches the catalog the `IntegratedService` kind.
 *
 * @public
 */
export const catalogModuleIntegratedServices = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'integrated-services',
  register(env) {
    env.registerInit({
      deps: { catalog: catalogProcessingExtensionPoint },
      async init({ catalog }) {
        catalog.addProcessor(new IntegratedServiceEntityProcessor());
      },
    });
  },
});
