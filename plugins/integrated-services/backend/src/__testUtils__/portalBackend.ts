/*
 * A test backend around the integrated-services plugin: the real permission
 * backend with an owner policy, the catalog holding the test definitions, a
 * double of the clusters plugin's REST API handing out Kubernetes doubles,
 * callers with group memberships, and a scheduler whose reconcile task runs
 * only when a test asks.
 */
import {
  BackendFeature,
  coreServices,
  createBackendModule,
  createBackendPlugin,
  createServiceFactory,
  SchedulerService,
  SchedulerServiceTaskFunction,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { NotFoundError } from '@backstage/errors';
import permissionPlugin from '@backstage/plugin-permission-backend';
import {
  AuthorizeResult,
  isPermission,
} from '@backstage/plugin-permission-common';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  integratedServiceOwnerCondition,
  ownerScopedIntegratedServicePermissions,
} from '@pipeline-portal/plugin-integrated-services-common';
import {
  pluginActorAuthServiceFactory,
  userInfoServiceFactory,
} from '@pipeline-portal/testing';
import Router from 'express-promise-router';
import { Server } from 'node:http';
import { integratedServicesPlugin, RECONCILE_TASK } from '../plugin';
import { definitions } from './definitions';
import { TestCluster } from './cluster';

export const USERS = {
  bob: 'user:default/bob',
  carol: 'user:default/carol',
} as const;
export const PAYMENTS = 'group:default/payments';
const OWNERSHIP: Record<string, string[]> = {
  [USERS.bob]: [USERS.bob, PAYMENTS],
  [USERS.carol]: [USERS.carol, 'group:default/marketing'],
};

export const authAs = (user: string) => mockCredentials.user.header(user);

/** The portal's rule for these permissions: members act on their groups' clusters. */
const ownerPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'test-owner-policy',
  register(env) {
    env.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy({
          async handle(request, user) {
            const scoped = ownerScopedIntegratedServicePermissions.find(p =>
              isPermission(request.permission, p),
            );
            if (scoped && user) {
              return {
                result: AuthorizeResult.CONDITIONAL,
                pluginId: 'integrated-services',
                resourceType: scoped.resourceType,
                conditions: integratedServiceOwnerCondition(
                  user.info.ownershipEntityRefs,
                ),
              };
            }
            return { result: AuthorizeResult.ALLOW };
          },
        });
      },
    });
  },
});

/** A cluster the clusters double lists. */
export interface DoubleCluster {
  name: string;
  owner: string;
  phase: string;
  kube?: TestCluster;
  /** Changes when the cluster does (its connection is made again). */
  updatedAt?: string;
}

/** The clusters plugin's REST routes the integrated-services plugin calls, service callers only. */
function clustersDouble(clusters: Map<string, DoubleCluster>) {
  return createBackendPlugin({
    pluginId: 'pipeline-clusters',
    register(env) {
      env.registerInit({
        deps: {
          httpRouter: coreServices.httpRouter,
          httpAuth: coreServices.httpAuth,
        },
        async init({ httpRouter, httpAuth }) {
          const router = Router();
          const view = (c: DoubleCluster) => ({
            name: c.name,
            owner: c.owner,
            status: { phase: c.phase },
            updatedAt: c.updatedAt ?? '2026-12-06T00:00:00Z',
          });
          const find = (name: string) => {
            const c = clusters.get(name);
            if (!c) throw new NotFoundError(`cluster "${name}" not found`);
            return c;
          };
          router.get('/clusters', async (req, res) => {
            await httpAuth.credentials(req, { allow: ['service'] });
            const items = [...clusters.values()]
              .filter(c => !req.query.phase || c.phase === req.query.phase)
              .map(view);
            res.json({ items, totalCount: items.length });
          });
          router.get('/clusters/:name', async (req, res) => {
            await httpAuth.credentials(req, { allow: ['service'] });
            res.json(view(find(req.params.name)));
          });
          router.get('/clusters/:name/access', async (req, res) => {
            await httpAuth.credentials(req, { allow: ['service'] });
            const { kube } = find(req.params.name);
            if (!kube) throw new NotFoundError('no access');
            res.json({
              name: req.params.name,
              apiServer: kube.api.url,
              caData: kube.api.caData,
              token: kube.api.token,
            });
          });
          httpRouter.use(router);
        },
      });
    },
  });
}

/** Records scheduled tasks; a test runs the reconcile pass with `reconcile()`. */
function recordingScheduler(tasks: Map<string, SchedulerServiceTaskFunction>) {
  return createServiceFactory({
    service: coreServices.scheduler,
    deps: {},
    factory(): SchedulerService {
      return {
        async scheduleTask(task: {
          id: string;
          fn: SchedulerServiceTaskFunction;
        }) {
          tasks.set(task.id, task.fn);
        },
        async triggerTask() {},
        async getScheduledTasks() {
          return [];
        },
        createScheduledTaskRunner() {
          return {
            run: async (task: {
              id: string;
              fn: SchedulerServiceTaskFunction;
            }) => {
              tasks.set(task.id, task.fn);
            },
          };
        },
      } as unknown as SchedulerService;
    },
  });
}

export interface PortalBackend {
  server: Server;
  clusters: Map<string, DoubleCluster>;
  /** One fleet reconcile pass, as the scheduler would run it. */
  reconcile(signal?: AbortSignal): Promise<void>;
  stop(): Promise<void>;
}

export async function startPortalBackend(options: {
  knex: Awaited<ReturnType<TestDatabases['init']>>;
  clusters: DoubleCluster[];
  extraFeatures?: BackendFeature[];
}): Promise<PortalBackend> {
  const clusters = new Map(options.clusters.map(c => [c.name, c]));
  const tasks = new Map<string, SchedulerServiceTaskFunction>();
  const backend = await startTestBackend({
    features: [
      integratedServicesPlugin,
      permissionPlugin,
      ownerPolicy,
      clustersDouble(clusters),
      userInfoServiceFactory(OWNERSHIP),
      pluginActorAuthServiceFactory,
      recordingScheduler(tasks),
      mockServices.database.factory({ knex: options.knex }),
      catalogServiceMock.factory({ entities: [...definitions.values()] }),
      mockServices.rootConfig.factory({
        data: {
          permission: { enabled: true },
          pipelinePortal: {
            integratedServices: {
              reconcile: {
                requestsPerSecondPerCluster: 0,
                baseBackoffSeconds: 0.05,
                maxBackoffSeconds: 0.2,
              },
              definitionsCacheSeconds: 0,
            },
          },
        },
      }),
      ...(options.extraFeatures ?? []),
    ],
  });
  return {
    server: backend.server,
    clusters,
    async reconcile(signal = new AbortController().signal) {
      const fn = tasks.get(RECONCILE_TASK);
      if (!fn) throw new Error('reconcile task not scheduled');
      await fn(signal);
    },
    stop: () => backend.stop(),
  };
}
