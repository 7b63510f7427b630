import { LoggerService } from '@backstage/backend-plugin-api';
import { isError } from '@backstage/errors';
import { KubernetesClustersSupplier } from '@backstage/plugin-kubernetes-node';

/**
 * Serves the portal's clusters plus the ones `kubernetes.clusterLocatorMethods`
 * declares, which a supplier added through the extension point would
 * otherwise replace. A portal cluster wins over a declared one of the same
 * name, and a failing declared locator never hides the portal's clusters.
 */
export function withConfiguredClusters(
  portal: KubernetesClustersSupplier,
  configured: KubernetesClustersSupplier,
  logger: LoggerService,
): KubernetesClustersSupplier {
  return {
    async getClusters(options) {
      const [own, declared] = await Promise.all([
        portal.getClusters(options),
        configured.getClusters(options).catch(error => {
          logger.warn(
            `Failed to read the clusters of kubernetes.clusterLocatorMethods: ${
              isError(error) ? error.message : String(error)
            }`,
          );
          return [];
        }),
      ]);
      const names = new Set(own.map(c => c.name));
      return [...own, ...declared.filter(c => !names.has(c.name))];
    },
  };
}
