import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { metricsServiceRef } from '@backstage/backend-plugin-api/alpha';
import {
  reconcileMetrics,
  scheduleGlobalTask,
} from '@pipeline-portal/backend-kit';
import { integratedServicePermissions } from '@pipeline-portal/plugin-integrated-services-common';
import { readIntegratedServicesConfig } from './config';
import { InstanceAuthorization } from './permissions/authorization';
import {
  instanceResourceRef,
  instanceRules,
  parseInstanceRef,
} from './permissions/rules';
import { createRouter } from './router';
import { ClusterDirectory } from './service/ClusterDirectory';
import { CatalogDefinitions } from './service/definitions';
import { FleetReconciler } from './service/FleetReconciler';
import { IntegratedServices } from './service/IntegratedServices';

/** The scheduler task of the fleet reconcile pass. */
export const RECONCILE_TASK = 'integrated-services-reconcile';

/**
 * Integrated services: activates monitoring, logging, DNS and other services on clusters.
 *
 * @public
 */
export const integratedServicesPlugin = createBackendPlugin({
  pluginId: 'integrated-services',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
        logger: coreServices.logger,
        database: coreServices.database,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        scheduler: coreServices.scheduler,
        lifecycle: coreServices.lifecycle,
        rootLifecycle: coreServices.rootLifecycle,
        metrics: metricsServiceRef,
        catalog: catalogServiceRef,
      },
      async init({
        config,
        httpRouter,
        httpAuth,
        auth,
        discovery,
        logger,
        database,
        permissions,
        permissionsRegistry,
        scheduler,
        lifecycle,
        rootLifecycle,
        metrics,
        catalog,
      }) {
        const settings = readIntegratedServicesConfig(config);
        const clusters = new ClusterDirectory({
          auth,
          discovery,
          requestsPerSecond: settings.requestsPerSecondPerCluster,
        });
        const definitions = new CatalogDefinitions({
          catalog,
          auth,
          cacheMs: settings.definitionsCacheMs,
        });
        const service = new IntegratedServices({
          clusters,
          definitions,
          namespace: settings.namespace,
        });

        permissionsRegistry.addResourceType({
          resourceRef: instanceResourceRef,
          permissions: integratedServicePermissions,
          rules: instanceRules,
          getResources: refs =>
            Promise.all(
              refs.map(async ref => {
                const parsed = parseInstanceRef(ref);
                if (!parsed) return undefined;
                const owner = await service
                  .clusterOwner(parsed.cluster)
                  .catch(() => undefined);
                return owner ? { ...parsed, owner } : undefined;
              }),
            ),
        });

        const fleet = new FleetReconciler({
          directory: clusters,
          definitions,
          namespace: settings.namespace,
          concurrency: settings.concurrency,
          baseBackoffMs: settings.baseBackoffMs,
          maxBackoffMs: settings.maxBackoffMs,
          logger,
        });
        const recordPass = reconcileMetrics(metrics, 'integrated-services');
        // One replica at a time runs a pass, handed over on shutdown; a
        // pass over the fleet takes seconds, so a killed replica's claim is
        // freed after two minutes.
        scheduleGlobalTask(
          { scheduler, rootLifecycle, lifecycle, database, logger },
          {
            id: RECONCILE_TASK,
            frequency: { seconds: settings.intervalSeconds },
            timeout: { minutes: 2 },
            initialDelay: { seconds: 5 },
            fn: async signal => {
              const started = Date.now();
              try {
                const pass = await fleet.runOnce(signal);
                recordPass({
                  result: 'ok',
                  durationMs: Date.now() - started,
                  items: {
                    instances: pass.instances,
                    failed: pass.failed,
                    drifted: pass.drifted,
                    unreachable: pass.unreachable,
                  },
                });
                if (pass.failed || pass.unreachable) {
                  logger.warn(
                    `reconcile pass: ${pass.instances} instances on ${pass.clusters} clusters, ${pass.failed} failed, ${pass.unreachable} clusters unreachable`,
                  );
                }
              } catch (error) {
                recordPass({
                  result: 'failed',
                  durationMs: Date.now() - started,
                });
                logger.error(`reconcile pass failed: ${error}`);
              }
            },
          },
        );

        httpRouter.use(
          await createRouter({
            logger,
            database,
            httpAuth,
            authorization: new InstanceAuthorization(permissions),
            service,
          }),
        );
        // Liveness of the plugin and its database, for probes.
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
      },
    });
  },
});
