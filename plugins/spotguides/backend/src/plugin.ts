import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { metricsServiceRef } from '@backstage/backend-plugin-api/alpha';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { TriggerMetrics } from './metrics/TriggerMetrics';
import { globalTaskScheduler } from '@pipeline-portal/backend-kit';
import {
  explainPipelines,
  renderPipelineRun,
} from '@pipeline-portal/plugin-spotguides-common';
import { pushHint } from './engine/eventPlan';
import { TriggerEngine } from './engine/TriggerEngine';
import { scheduleHousekeeping } from './housekeeping';
import { scheduleStatusReporting } from './reporting';
import { StatusQueue } from './engine/StatusQueue';
import { Worker } from './engine/Worker';
import { GitHubClients } from './github/octokit';
import { TektonReader } from './github/TektonReader';
import { subscribeToDeliveries } from './intake/subscribe';
import { readRunPolicy } from './config';
import { createRouter } from './router';
import { RuntimeClusters } from './runtime/RuntimeClusters';
import { curatedTasks } from './runtime/curatedTasks';
import { AccessScope } from './service/AccessScope';
import { BindingService } from './service/BindingService';
import { ExplainService } from './service/ExplainService';
import { BindingStore, DeliveryStore, RunStore } from './store';
import { NamespaceGuard } from './trust/NamespaceGuard';
import { PipelineClustersClient } from '@pipeline-portal/plugin-pipeline-clusters-common';

/**
 * Spotguides: turns GitHub events on spotguide repositories into Tekton
 * pipeline runs. Deliveries are queued by an events subscriber before the
 * events endpoint answers, then processed by a worker on every replica.
 *
 * @public
 */
export const spotguidesPlugin = createBackendPlugin({
  pluginId: 'spotguides',
  register(env) {
    env.registerInit({
      deps: {
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
        logger: coreServices.logger,
        database: coreServices.database,
        config: coreServices.rootConfig,
        lifecycle: coreServices.lifecycle,
        rootLifecycle: coreServices.rootLifecycle,
        scheduler: coreServices.scheduler,
        catalog: catalogServiceRef,
        permissions: coreServices.permissions,
        userInfo: coreServices.userInfo,
        events: eventsServiceRef,
        metrics: metricsServiceRef,
      },
      async init(deps) {
        const { httpRouter, logger, database, config, lifecycle } = deps;
        const deliveries = await DeliveryStore.create({ database });
        const runs = await RunStore.create({ database });
        const bindings = await BindingStore.create({ database });
        const namespaces = new NamespaceGuard({
          auth: deps.auth,
          source: new PipelineClustersClient({ discoveryApi: deps.discovery }),
        });
        const metrics = new TriggerMetrics(deps.metrics, () =>
          deliveries.queueStats(),
        );
        const github = new GitHubClients(config, logger, metrics);
        const reader = new TektonReader({
          pushes: {
            pushTo: async (repository, sha) => {
              const payload = await deliveries.pushTo(repository, sha);
              return payload ? pushHint(payload) : undefined;
            },
          },
        });
        const core = { explain: explainPipelines, render: renderPipelineRun };
        const appBaseUrl =
          config.getOptionalString('app.baseUrl') ??
          config.getString('backend.baseUrl');
        const statuses = new StatusQueue({ github, runs, logger });
        const clusters = new RuntimeClusters({
          auth: deps.auth,
          discovery: deps.discovery,
          tasks: curatedTasks(config, logger),
        });
        const customObjects = (cluster: string) =>
          clusters.customObjects(cluster);
        const t = config.getOptionalConfig('pipelinePortal.spotguides.trigger');
        const engine = new TriggerEngine({
          catalog: deps.catalog,
          auth: deps.auth,
          integrations: github.integrations,
          bindings,
          namespaces,
          runPolicy: readRunPolicy(config),
          logger,
          github,
          reader,
          clusters,
          deliveries,
          statuses,
          core,
          appBaseUrl,
          componentGraceMs:
            (t?.getOptionalNumber('componentGraceSeconds') ?? 600) * 1000,
          componentTtlMs:
            (t?.getOptionalNumber('componentCacheSeconds') ?? 15) * 1000,
        });
        const worker = new Worker({
          store: deliveries,
          logger,
          process: (d, signal, ordered) => engine.process(d, signal, ordered),
          concurrency: t?.getOptionalNumber('concurrency'),
          // Renewed while worked on: a killed replica's deliveries are taken
          // over within seconds.
          leaseMs: (t?.getOptionalNumber('leaseSeconds') ?? 10) * 1000,
          pollMs: t?.getOptionalNumber('pollIntervalMs'),
          backoffBaseMs: t?.getOptionalNumber('backoffBaseMs'),
          backoffCapMs:
            (t?.getOptionalNumber('backoffCapSeconds') ?? 300) * 1000,
          maxAttempts: t?.getOptionalNumber('maxAttempts'),
          onDecided: (d, outcome) =>
            metrics.decided(outcome.decision, d.receivedAt),
        });
        await subscribeToDeliveries({
          events: deps.events,
          store: deliveries,
          logger,
          onQueued: () => worker.nudge(),
        });
        // Deliveries are decided once the whole backend is ready.
        deps.rootLifecycle.addStartupHook(() => worker.start());
        // Final commit statuses and housekeeping, once across replicas,
        // handed over on shutdown.
        const globalTasks = globalTaskScheduler({
          scheduler: deps.scheduler,
          rootLifecycle: deps.rootLifecycle,
          lifecycle,
          database,
          logger,
        });
        await scheduleStatusReporting({
          scheduler: globalTasks,
          config,
          logger,
          runs,
          github,
          customObjects,
        });
        await scheduleHousekeeping({
          scheduler: globalTasks,
          config,
          logger,
          customObjects,
          // Only where the engine itself created runs: an annotation never
          // decides where the portal's credential deletes anything.
          targets: () => runs.namespaces(),
          onDeleted: run => runs.delete(run),
          pruneDeliveries: before => deliveries.prune(before),
        });
        lifecycle.addShutdownHook(async () => {
          await worker.stop();
          statuses.stop();
        });

        const scope = new AccessScope({
          catalog: deps.catalog,
          auth: deps.auth,
          permissions: deps.permissions,
          integrations: github.integrations,
        });
        httpRouter.use(
          await createRouter({
            logger,
            database,
            httpAuth: deps.httpAuth,
            deliveries,
            runs,
            explain: new ExplainService({ github, reader, core }),
            bindings: new BindingService({
              bindings,
              catalog: deps.catalog,
              auth: deps.auth,
              userInfo: deps.userInfo,
              integrations: github.integrations,
              scope,
              namespaces,
            }),
            scope,
            appBaseUrl,
          }),
        );
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
      },
    });
  },
});
