import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { kubernetesClusterSupplierExtensionPoint } from '@backstage/plugin-kubernetes-node';
import { PipelineClustersSupplier } from './PipelineClustersSupplier';
import { withConfiguredClusters } from './withConfiguredClusters';

/**
 * Makes the portal's Running clusters available to the Kubernetes plugin.
 *
 * @public
 */
export const kubernetesModulePipelineClusters = createBackendModule({
  pluginId: 'kubernetes',
  moduleId: 'pipeline-clusters',
  register(env) {
    env.registerInit({
      deps: {
        clusterSupplier: kubernetesClusterSupplierExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
        rootLifecycle: coreServices.rootLifecycle,
      },
      async init({
        clusterSupplier,
        config,
        logger,
        auth,
        discovery,
        rootLifecycle,
      }) {
        const supplier = PipelineClustersSupplier.fromConfig(config, {
          logger,
          auth,
          discovery,
        });
        // The REST API answers only once every plugin has started.
        rootLifecycle.addStartupHook(() => supplier.start());
        rootLifecycle.addShutdownHook(() => supplier.stop());

        clusterSupplier.addClusterSupplier(async ({ getDefault }) =>
          // The default supplier is built from clusterLocatorMethods and
          // throws without it.
          config.has('kubernetes.clusterLocatorMethods')
            ? withConfiguredClusters(supplier, await getDefault(), logger)
            : supplier,
        );
      },
    });
  },
});
