import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { metricsServiceRef } from '@backstage/backend-plugin-api/alpha';
import {
  reconcileMetrics,
  scheduleGlobalTask,
} from '@pipeline-portal/backend-kit';
import { clusterPermissions } from '@pipeline-portal/plugin-pipeline-clusters-common';
import { ClusterAuthorization } from './permissions/authorization';
import { clusterResourceRef, clusterRules } from './permissions/rules';
import { createRouter } from './router';
import { createSecretStore } from './secrets/createSecretStore';
import { readClustersConfig } from './config';
import { ClusterReconciler } from './service/ClusterReconciler';
import { ClusterService } from './service/ClusterService';
import { CredentialService } from './service/CredentialService';
import { NamespaceService } from './service/NamespaceService';
import { ManagementCluster } from './management/ManagementCluster';
import { ClusterStore } from './store/ClusterStore';

/**
 * Pipeline clusters: provisions, imports and manages Kubernetes clusters.
 *
 * @public
 */
export const pipelineClustersPlugin = createBackendPlugin({
  pluginId: 'pipeline-clusters',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        logger: coreServices.logger,
        database: coreServices.database,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        scheduler: coreServices.scheduler,
        lifecycle: coreServices.lifecycle,
        rootLifecycle: coreServices.rootLifecycle,
        metrics: metricsServiceRef,
      },
      async init({
        config,
        httpRouter,
        httpAuth,
        logger,
        database,
        permissions,
        permissionsRegistry,
        scheduler,
        lifecycle,
        rootLifecycle,
        metrics,
      }) {
        const settings = readClustersConfig(config);
        const store = await ClusterStore.create({ database });
        const secrets = await createSecretStore({
          config,
          database,
          logger,
          lifecycle,
        });
        const management = ManagementCluster.fromConfig(config);
        const service = new ClusterService({
          store,
          secrets,
          management,
          offeredVersions: settings.offeredVersions,
          importPolicy: settings.importPolicy,
          logger,
        });

        permissionsRegistry.addResourceType({
          resourceRef: clusterResourceRef,
          permissions: clusterPermissions,
          rules: clusterRules,
          getResources: async names =>
            Promise.all(names.map(name => store.get(name))),
        });

        if (management) {
          const reconciler = new ClusterReconciler({
            store,
            secrets,
            management,
            logger,
            ...settings.reconcile,
          });
          const recordPass = reconcileMetrics(metrics, 'clusters');
          // One replica at a time; handed over on shutdown. A pass over
          // every cluster takes seconds: a killed replica's claim is freed
          // after two minutes, not Backstage's default ten.
          scheduleGlobalTask(
            { scheduler, rootLifecycle, lifecycle, database, logger },
            {
              id: 'pipeline-clusters-reconcile',
              frequency: { seconds: settings.reconcileIntervalSeconds },
              timeout: { minutes: 2 },
              initialDelay: { seconds: 1 },
              fn: async signal => {
                const started = Date.now();
                try {
                  const result = await reconciler.runOnce(signal);
                  recordPass({
                    result: 'ok',
                    durationMs: Date.now() - started,
                    items: { ...result },
                  });
                  if (result.failed > 0) {
                    logger.warn(
                      `reconcile pass: ${result.reconciled} clusters reconciled, ${result.failed} to retry`,
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
        } else {
          logger.info(
            'No management cluster configured (pipelinePortal.clusters.management): clusters can be imported, not provisioned',
          );
        }

        httpRouter.use(
          await createRouter({
            logger,
            database,
            httpAuth,
            authorization: new ClusterAuthorization(permissions),
            service,
            credentials: new CredentialService({ secrets, store }),
            namespaces: new NamespaceService(service, {
              settings: settings.namespaces,
              logger,
            }),
            serviceAccess: settings.serviceAccess,
          }),
        );
        // Liveness of the plugin itself, for probes and the wiring test.
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
      },
    });
  },
});
