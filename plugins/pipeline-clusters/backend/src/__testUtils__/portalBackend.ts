/*
 * A whole test backend around the pipeline-clusters plugin, for the API
 * tests: the real permission backend with the portal's policy, the plugin's
 * database from TestDatabases, the management cluster pointing at a
 * Kubernetes API double, callers with group memberships, every log line
 * captured, and a scheduler whose reconcile task runs only when a test asks.
 */
import {
  AuthService,
  BackendFeature,
  BackstageCredentials,
  coreServices,
  createServiceFactory,
  DatabaseService,
  LoggerService,
  RootLoggerService,
  SchedulerService,
  SchedulerServiceTaskDescriptor,
  SchedulerServiceTaskFunction,
  SchedulerServiceTaskInvocationDefinition,
  SchedulerServiceTaskRunner,
  SchedulerServiceTaskScheduleDefinition,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import permissionPlugin from '@backstage/plugin-permission-backend';
import { JsonObject } from '@backstage/types';
import permissionModulePortalPolicy from '@pipeline-portal/plugin-permission-backend-module-policy';
import { KubeApi } from '@pipeline-portal/testing';
import { Knex } from 'knex';
import { Server } from 'node:http';
import { pipelineClustersPlugin } from '../plugin';
import { MANAGEMENT_NAMESPACE, secretStoreConfig } from './fixtures';

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

/** Maps users to their groups (mockServices.userInfo only knows the user). */
export const userInfoFactory = createServiceFactory({
  service: coreServices.userInfo,
  deps: {},
  factory(): UserInfoService {
    return {
      async getUserInfo(credentials: BackstageCredentials) {
        const principal = credentials.principal as {
          type: string;
          userEntityRef?: string;
        };
        if (principal.type !== 'user' || !principal.userEntityRef) {
          throw new Error(
            `user info not available for principal type ${principal.type}`,
          );
        }
        const ref = principal.userEntityRef;
        return {
          userEntityRef: ref,
          ownershipEntityRefs: OWNERSHIP[ref] ?? [ref],
        };
      },
    };
  },
});

/**
 * mockServices.auth, except that a plugin's token on behalf of a user carries
 * the plugin as actor, as DefaultAuthService's tokens do in production. The
 * permission backend refuses resource permissions without a resourceRef
 * from users acting directly, and tells them apart by that actor; the mock
 * drops it, so every conditional decision a plugin asks for would fail.
 */
export const authFactory = createServiceFactory({
  service: coreServices.auth,
  deps: { pluginMetadata: coreServices.pluginMetadata },
  factory({ pluginMetadata }): AuthService {
    const pluginId = pluginMetadata.getId();
    const inner = mockServices.auth({ pluginId });
    return {
      authenticate: (token, options) => inner.authenticate(token, options),
      getNoneCredentials: () => inner.getNoneCredentials(),
      getOwnServiceCredentials: () => inner.getOwnServiceCredentials(),
      isPrincipal: ((credentials: BackstageCredentials, type: any) =>
        inner.isPrincipal(credentials, type)) as AuthService['isPrincipal'],
      getLimitedUserToken: credentials =>
        inner.getLimitedUserToken(credentials),
      listPublicServiceKeys: () => inner.listPublicServiceKeys(),
      async getPluginRequestToken(options) {
        const principal = options.onBehalfOf.principal as {
          type: string;
          userEntityRef?: string;
        };
        if (principal.type === 'user' && principal.userEntityRef) {
          return {
            token: mockCredentials.user.token(principal.userEntityRef, {
              actor: { subject: `plugin:${pluginId}` },
            }),
          };
        }
        return inner.getPluginRequestToken(options);
      },
    };
  },
});

/** One captured logger call, with the merged child metadata. */
export interface CapturedLog {
  level: 'error' | 'warn' | 'info' | 'debug';
  message: string;
  meta: Record<string, unknown>;
}

function serializeMeta(meta?: Error | JsonObject): Record<string, unknown> {
  if (!meta) return {};
  if (meta instanceof Error) {
    return {
      error: {
        name: meta.name,
        message: meta.message,
        stack: meta.stack,
        ...Object.fromEntries(Object.entries(meta)),
      },
    };
  }
  return { ...meta };
}

/** A logger that records every call (of every plugin) and prints nothing. */
export class CapturingLogger implements RootLoggerService {
  constructor(
    readonly logs: CapturedLog[] = [],
    private readonly fields: Record<string, unknown> = {},
  ) {}

  private add(
    level: CapturedLog['level'],
    message: unknown,
    meta?: Error | JsonObject,
  ) {
    this.logs.push({
      level,
      message: String(message),
      meta: { ...this.fields, ...serializeMeta(meta) },
    });
  }

  error(message: string, meta?: Error | JsonObject) {
    this.add('error', message, meta);
  }
  warn(message: string, meta?: Error | JsonObject) {
    this.add('warn', message, meta);
  }
  info(message: string, meta?: Error | JsonObject) {
    this.add('info', message, meta);
  }
  debug(message: string, meta?: Error | JsonObject) {
    this.add('debug', message, meta);
  }
  child(meta: JsonObject): LoggerService {
    return new CapturingLogger(this.logs, { ...this.fields, ...meta });
  }
}

interface RecordedTask {
  id: string;
  fn: SchedulerServiceTaskFunction;
  descriptor: SchedulerServiceTaskDescriptor;
  /** Period of the automatic runs; undefined for tasks run on demand only. */
  periodMs?: number;
  running?: Promise<void>;
  timer?: NodeJS.Timeout;
  abort: AbortController;
}

const MS: Record<string, number> = {
  milliseconds: 1,
  seconds: 1000,
  minutes: 60_000,
  hours: 3_600_000,
  days: 86_400_000,
};

/** A HumanDuration frequency in ms; undefined for cron, ISO or manual. */
function periodOf(
  frequency: SchedulerServiceTaskScheduleDefinition['frequency'],
): number | undefined {
  if (!frequency || typeof frequency !== 'object') return undefined;
  if ('cron' in frequency || 'trigger' in frequency) return undefined;
  let ms = 0;
  for (const [unit, value] of Object.entries(frequency)) {
    if (typeof value === 'number' && MS[unit]) ms += value * MS[unit];
  }
  return ms > 0 ? ms : undefined;
}

/**
 * Records every `scheduleTask`. Tasks named in `onDemand` (the plugin's
 * reconcile loop) never run by themselves: `run(id)` runs them once and
 * resolves when the pass is over. Every other task (the catalog provider,
 * janitors) runs once at startup and then at its own frequency, as the
 * real scheduler would, with timers that never keep the process alive.
 */
export class ControllableScheduler implements SchedulerService {
  readonly tasks = new Map<string, RecordedTask>();
  private started = false;

  constructor(private readonly onDemand: ReadonlySet<string>) {}

  async scheduleTask(
    task: SchedulerServiceTaskScheduleDefinition &
      SchedulerServiceTaskInvocationDefinition,
  ): Promise<void> {
    const previous = this.tasks.get(task.id);
    if (previous?.timer) clearInterval(previous.timer);
    const recorded: RecordedTask = {
      id: task.id,
      fn: task.fn,
      descriptor: {
        id: task.id,
        scope: task.scope ?? 'global',
        settings: { version: 1 },
      },
      periodMs: this.onDemand.has(task.id)
        ? undefined
        : periodOf(task.frequency),
      abort: new AbortController(),
    };
    this.tasks.set(task.id, recorded);
    if (this.started) this.startTimer(recorded);
  }

  createScheduledTaskRunner(
    schedule: SchedulerServiceTaskScheduleDefinition,
  ): SchedulerServiceTaskRunner {
    return {
      run: task => this.scheduleTask({ ...schedule, ...task }),
    };
  }

  async getScheduledTasks(): Promise<SchedulerServiceTaskDescriptor[]> {
    return [...this.tasks.values()].map(t => t.descriptor);
  }

  async triggerTask(id: string): Promise<void> {
    await this.run(id);
  }

  async cancelTask(id: string): Promise<void> {
    const task = this.tasks.get(id);
    task?.abort.abort();
    if (task) task.abort = new AbortController();
  }

  /** Runs a task once now (after any run in flight) and waits for it. */
  async run(id: string): Promise<void> {
    const task = this.tasks.get(id);
    if (!task) {
      throw new Error(
        `task ${id} was never scheduled (scheduled: ${[
          ...this.tasks.keys(),
        ].join(', ')})`,
      );
    }
    while (task.running) await task.running;
    task.running = Promise.resolve()
      .then(() => task.fn(task.abort.signal))
      .finally(() => {
        task.running = undefined;
      });
    await task.running;
  }

  private startTimer(task: RecordedTask) {
    if (!task.periodMs) return;
    const tick = () => {
      if (task.running) return;
      this.run(task.id).catch(() => {
        // A scheduled task's failure is the task's business, as in production.
      });
    };
    task.timer = setInterval(tick, Math.max(task.periodMs, 100));
    task.timer.unref();
    tick();
  }

  start() {
    if (this.started) return;
    this.started = true;
    for (const task of this.tasks.values()) this.startTimer(task);
  }

  stop() {
    this.started = false;
    for (const task of this.tasks.values()) {
      clearInterval(task.timer);
      task.timer = undefined;
      task.abort.abort();
    }
  }

  factory() {
    return createServiceFactory({
      service: coreServices.scheduler,
      deps: { rootLifecycle: coreServices.rootLifecycle },
      factory: async ({ rootLifecycle }) => {
        rootLifecycle.addStartupHook(() => this.start());
        rootLifecycle.addShutdownHook(() => this.stop());
        return this;
      },
    });
  }
}

/** The plugin gets `knex`; any other plugin its own database from `others`. */
function databaseFactory(
  knex: Knex,
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
      if (!clients.has(pluginId)) clients.set(pluginId, others(pluginId));
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
      databaseFactory(options.knex, options.otherDatabases),
      scheduler.factory(),
      userInfoFactory,
      authFactory,
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
    stop: () => backend.stop(),
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
