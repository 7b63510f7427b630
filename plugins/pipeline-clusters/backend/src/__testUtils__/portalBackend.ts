/*
 * A whole test backend around the pipeline-clusters plugin, for the API
 * tests: the real permission backend with the portal's policy, the plugin's
 * database from TestDatabases, the management cluster pointing at a
 * Kubernetes API double, callers with group memberships, every log line
 * captured, and a scheduler whose reconcile task runs only when a test asks.
 */
import {
  BackendFeature,
  coreServices,
  createServiceFactory,
  DatabaseService,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import permissionPlugin from '@backstage/plugin-permission-backend';
import { JsonObject } from '@backstage/types';
import permissionModulePortalPolicy from '@pipeline-portal/plugin-permission-backend-module-policy';
import {
  KubeApi,
  pluginActorAuthServiceFactory,
  TaskEventReads,
  userInfoServiceFactory,
} from '@pipeline-portal/testing';
import { Knex } from 'knex';
import { Server } from 'node:http';
import { pipelineClustersPlugin } from '../plugin';
import { MANAGEMENT_NAMESPACE, secretStoreConfig } from './fixtures';
import {
  CapturedLog,
  CapturingLogger,
  ControllableScheduler,
} from './services';

export { CapturingLogger, ControllableScheduler } from './services';
export type { CapturedLog } from './services';

/** The scheduler task id of the plugin's reconcile loop. */
export const RECONCILE_TASK = 'pipeline-clusters-reconcile';

/** Callers, by role: a payments member, a marketing member and an admin. */
export const USERS = {
  bob: 'user:default/bob',
  carol: 'user:default/carol',
  alice: 'user:default/alice',
} as const;

export const GROUPS = {
  payments: 'group:default/payments',
  marketing: 'group:default/marketing',
  platform: 'group:default/platform',
} as const;

/** Ownership refs of each caller: the user and its groups. */
export const OWNERSHIP: Record<string, string[]> = {
  [USERS.bob]: [USERS.bob, GROUPS.payments],
  [USERS.carol]: [USERS.carol, GROUPS.marketing],
  [USERS.alice]: [USERS.alice, GROUPS.platform],
};

/** The Authorization header of a caller. */
export const authAs = (userEntityRef: string) =>
  mockCredentials.user.header(userEntityRef);

/** The plugin gets `knex`; any other plugin its own database from `others`. */
function databaseFactory(
  knex: Knex,
  reads: TaskEventReads,
  others?: (pluginId: string) => Promise<Knex>,
) {
  if (!others) return mockServices.database.factory({ knex });
  const clients = new Map<string, Promise<Knex>>();
  return createServiceFactory({
    service: coreServices.database,
    deps: { pluginMetadata: coreServices.pluginMetadata },
    factory: async ({ pluginMetadata }): Promise<DatabaseService> => {
      const pluginId = pluginMetadata.getId();
      if (pluginId === 'pipeline-clusters') {
        return { getClient: async () => knex, migrations: { skip: false } };
      }
      if (!clients.has(pluginId)) {
        clients.set(
          pluginId,
          others(pluginId).then(k => reads.watch(k)),
        );
      }
      return {
        getClient: () => clients.get(pluginId)!,
        migrations: { skip: false },
      };
    },
  });
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge of config objects; arrays and scalars of `b` win. */
export function mergeConfig(a: JsonObject, b: JsonObject): JsonObject {
  const out: Record<string, unknown> = { ...a };
  for (const [key, value] of Object.entries(b)) {
    out[key] =
      isPlainObject(out[key]) && isPlainObject(value)
        ? mergeConfig(out[key] as JsonObject, value as JsonObject)
        : value;
  }
  return out as JsonObject;
}

/** The management cluster config for a Kubernetes API double. */
export function managementConfig(api: KubeApi): JsonObject {
  return {
    pipelinePortal: {
      clusters: {
        management: {
          url: api.url,
          caData: api.caData,
          token: api.token,
          namespace: MANAGEMENT_NAMESPACE,
          requestTimeoutSeconds: 5,
        },
      },
    },
  };
}

export interface PortalBackendOptions {
  /** The plugin's database, from TestDatabases. */
  knex: Knex;
  /**
   * Databases of the other plugins (catalog, scaffolder): each gets its own.
   * Without it every plugin shares `knex` (fine for the permission backend,
   * which has none).
   */
  otherDatabases?: (pluginId: string) => Promise<Knex>;
  /** The management cluster; none configured when absent. */
  management?: KubeApi;
  /** Extra config, deep-merged over the defaults. */
  config?: JsonObject;
  /** Extra plugins and modules. */
  features?: BackendFeature[];
}

export interface PortalBackend {
  server: Server;
  /** http://localhost:<port> */
  baseUrl: string;
  scheduler: ControllableScheduler;
  /** Every logger call of every plugin, root logger included. */
  logs: CapturedLog[];
  /** The config the backend runs with. */
  config: JsonObject;
  /** Runs one reconcile pass of the plugin and waits for it. */
  reconcile(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts pipeline-clusters with the real permission backend and the
 * portal's policy (admins: group:default/platform), the database secret
 * store keyed with TEST_SECRET_KEY, and reconcile passes on demand.
 */
export async function startPortalBackend(
  options: PortalBackendOptions,
): Promise<PortalBackend> {
  const scheduler = new ControllableScheduler(new Set([RECONCILE_TASK]));
  const logger = new CapturingLogger();
  const taskEventReads = new TaskEventReads();
  let config: JsonObject = mergeConfig(secretStoreConfig, {
    backend: { baseUrl: 'http://localhost:7007' },
    permission: { enabled: true },
    pipelinePortal: { permission: { admins: [GROUPS.platform] } },
  });
  if (options.management) {
    config = mergeConfig(config, managementConfig(options.management));
  }
  if (options.config) config = mergeConfig(config, options.config);

  const backend = await startTestBackend({
    features: [
      pipelineClustersPlugin,
      permissionPlugin,
      permissionModulePortalPolicy,
      mockServices.rootConfig.factory({ data: config }),
      databaseFactory(options.knex, taskEventReads, options.otherDatabases),
      scheduler.factory(),
      userInfoServiceFactory(OWNERSHIP),
      pluginActorAuthServiceFactory,
      createServiceFactory({
        service: coreServices.rootLogger,
        deps: {},
        factory: () => logger,
      }),
      ...(options.features ?? []),
    ],
  });
  const { port } = backend.server.address() as { port: number };
  return {
    server: backend.server,
    baseUrl: `http://localhost:${port}`,
    scheduler,
    logs: logger.logs,
    config,
    reconcile: () => scheduler.run(RECONCILE_TASK),
    stop: async () => {
      await backend.stop();
      await taskEventReads.settled();
    },
  };
}

/** The served apiVersion/kind of every CRD registered in a double. */
function customKinds(
  api: KubeApi,
): Array<{ apiVersion: string; kind: string }> {
  return api
    .list('apiextensions.k8s.io/v1', 'CustomResourceDefinition')
    .flatMap((crd: any) =>
      (crd.spec.versions as Array<{ name: string; served: boolean }>)
        .filter(v => v.served)
        .map(v => ({
          apiVersion: `${crd.spec.group}/${v.name}`,
          kind: crd.spec.names.kind as string,
        })),
    );
}

/**
 * Every object of a portal cluster in the management double: labelled with
 * it, or named after it (credentials, kubeconfig Secrets), in any namespace.
 */
export function objectsOfCluster(api: KubeApi, name: string): string[] {
  const kinds = [
    { apiVersion: 'v1', kind: 'Secret' },
    { apiVersion: 'v1', kind: 'ConfigMap' },
    ...customKinds(api),
  ];
  const found = new Set<string>();
  for (const { apiVersion, kind } of kinds) {
    for (const o of api.list(apiVersion, kind)) {
      const labels = o.metadata?.labels ?? {};
      const objectName = o.metadata?.name ?? '';
      if (
        labels['pipeline-portal.io/cluster'] === name ||
        objectName === name ||
        objectName.startsWith(`${name}-`)
      ) {
        found.add(`${kind} ${o.metadata?.namespace ?? ''}/${objectName}`);
      }
    }
  }
  return [...found].sort();
}

/** Asserts a response's status, showing its body when it differs. */
export function expectStatus(
  res: { status: number; body: unknown; text?: string },
  status: number,
) {
  if (res.status !== status) {
    throw new Error(
      `expected HTTP ${status}, got ${res.status}: ${
        res.text ?? JSON.stringify(res.body)
      }`,
    );
  }
}
