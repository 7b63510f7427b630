import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  kubernetesAuthStrategyExtensionPoint,
  kubernetesClusterSupplierExtensionPoint,
} from '@backstage/plugin-kubernetes-node';
import { ClusterCredentials } from './auth/ClusterCredentials';
import { authStrategies } from './auth/authStrategies';
import { callerScoped } from './callerScoped';
import { PipelineClustersSupplier } from './PipelineClustersSupplier';
import { withConfiguredClusters } from './withConfiguredClusters';

/**
 * Makes the portal's Running clusters available to the Kubernetes plugin,
 * with an auth strategy that hands it each cluster's own credential, and
 * shows each caller only the clusters they may reach (`callerScoped`).
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
        authStrategy: kubernetesAuthStrategyExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
        rootLifecycle: coreServices.rootLifecycle,
        permissions: coreServices.permissions,
      },
      async init({
        clusterSupplier,
        authStrategy,
        config,
        logger,
        auth,
        discovery,
        rootLifecycle,
        permissions,
      }) {
        const credentials = new ClusterCredentials();
        for (const [name, strategy] of authStrategies({
          config,
          logger,
          credentials,
        })) {
          authStrategy.addAuthStrategy(name, strategy);
        }
        const supplier = PipelineClustersSupplier.fromConfig(config, {
          logger,
          auth,
          discovery,
          credentials,
        });
        // The REST API answers only once every plugin has started.
        rootLifecycle.addStartupHook(() => supplier.start());
        rootLifecycle.addShutdownHook(() => supplier.stop());

        clusterSupplier.addClusterSupplier(async ({ getDefault }) =>
          callerScoped(
            // The default supplier is built from clusterLocatorMethods and
            // throws without it.
            config.has('kubernetes.clusterLocatorMethods')
              ? withConfiguredClusters(supplier, await getDefault(), logger)
              : supplier,
            permissions,
          ),
        );
      },
    });
  },
});
