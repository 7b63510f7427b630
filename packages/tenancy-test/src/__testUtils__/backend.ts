/*
 * One backend with every plugin of the portal and the real authorization:
 * the catalog, the permission backend with the portal's policy, the
 * Kubernetes plugin (multi-tenant, no declared cluster), the scaffolder,
 * the events backend, and the clusters, integrated services and spotguides
 * plugins with all their modules. Each plugin has its own SQLite database.
 * Only the doubles stand in for the outside: a Kubernetes API (cluster
 * `dev`), a management cluster and GitHub.
 */
import {
  BackendFeature,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import catalogModuleScaffolderEntityModel from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import eventsPlugin from '@backstage/plugin-events-backend';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';
import permissionPlugin from '@backstage/plugin-permission-backend';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import catalogModuleIntegratedServices from '@pipeline-portal/plugin-catalog-backend-module-integrated-services';
import catalogModulePipelineClusters from '@pipeline-portal/plugin-catalog-backend-module-pipeline-clusters';
import eventsModuleSpotguides, {
  eventsServiceFactoryWithLocalTopics,
} from '@pipeline-portal/plugin-events-backend-module-spotguides';
// The backend under test runs the three plugins of ours themselves.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import integratedServicesPlugin from '@pipeline-portal/plugin-integrated-services-backend';
import kubernetesModulePipelineClusters from '@pipeline-portal/plugin-kubernetes-backend-module-pipeline-clusters';
import permissionModulePortalPolicy from '@pipeline-portal/plugin-permission-backend-module-policy';
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import pipelineClustersPlugin from '@pipeline-portal/plugin-pipeline-clusters-backend';
import scaffolderModuleIntegratedServices from '@pipeline-portal/plugin-scaffolder-backend-module-integrated-services';
import scaffolderModulePipelineClusters from '@pipeline-portal/plugin-scaffolder-backend-module-pipeline-clusters';
import scaffolderModuleSpotguides from '@pipeline-portal/plugin-scaffolder-backend-module-spotguides';
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import spotguidesPlugin from '@pipeline-portal/plugin-spotguides-backend';
import {
  FLUX_CRDS,
  KYVERNO_CRDS,
  playFlux,
  pluginActorAuthServiceFactory,
  startGitHub,
  startKubeApi,
  TaskEventReads,
  TEKTON_CRDS,
  userInfoServiceFactory,
} from '@pipeline-portal/testing';
import { Knex } from 'knex';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { stringify } from 'yaml';
import {
  authorization,
  CallerName,
  GROUPS,
  OWNERSHIP,
  pluginOf,
} from './callers';
import { OnDemandScheduler } from './scheduler';
import { Call, Doubles, World } from './types';

/** The secret GitHub deliveries and the portal's webhooks are signed with. */
export const WEBHOOK_SECRET = 'tenancy-webhook-secret-0123456789';

const packageDir = (name: string) =>
  path.dirname(require.resolve(`${name}/package.json`));

/** The ServiceInstance CRD the integrated-services plugin ships. */
const INSTANCE_CRD = path.join(
  packageDir('@pipeline-portal/plugin-integrated-services-backend'),
  'crds/serviceinstances.integratedservices.pipeline-portal.io.yaml',
);

/** The IntegratedService definitions the platform team offers. */
const DEFINITIONS = path.resolve(
  __dirname,
  '../../../../catalog/integrated-services/all.yaml',
);

/** A kubeconfig of a double: one cluster, its CA inline, a bearer token. */
function kubeconfigOf(api: Doubles['kube']): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'dev',
        cluster: { server: api.url, 'certificate-authority-data': api.caData },
      },
    ],
    users: [{ name: 'portal', user: { token: api.token } }],
    contexts: [{ name: 'dev', context: { cluster: 'dev', user: 'portal' } }],
    'current-context': 'dev',
  });
}

/**
 * The Kubernetes double with what integrated services (the ServiceInstance
 * and Flux kinds, Flux played), team namespaces (Kyverno's policies) and
 * spotguides (Tekton) need; the management double; GitHub with the owner's
 * organization.
 */
export async function startDoubles(): Promise<Doubles & { stop(): void }> {
  const kube = await startKubeApi({
    crds: [...FLUX_CRDS, INSTANCE_CRD, ...KYVERNO_CRDS, ...TEKTON_CRDS],
    namespaces: ['pipeline-system'],
  });
  const flux = playFlux(kube, { readyAfterMs: 1 });
  const management = await startKubeApi({ namespaces: ['pipeline-clusters'] });
  const gh = await startGitHub({ orgs: ['payments'], rateLimit: 1_000_000 });
  return {
    kube,
    management,
    gh,
    kubeconfig: kubeconfigOf(kube),
    stop: () => flux.stop(),
  };
}

/** Each plugin its own database, as in production; task-event reads watched. */
function perPluginDatabases(
  newDatabase: () => Promise<Knex>,
  reads: TaskEventReads,
) {
  const clients = new Map<string, Promise<Knex>>();
  return createServiceFactory({
    service: coreServices.database,
    deps: { pluginMetadata: coreServices.pluginMetadata },
    factory: async ({ pluginMetadata }) => {
      const id = pluginMetadata.getId();
      if (!clients.has(id)) {
        clients.set(
          id,
          newDatabase().then(k => reads.watch(k)),
        );
      }
      return { getClient: () => clients.get(id)!, migrations: { skip: false } };
    },
  });
}

function configFor(d: Doubles, files: { org: string; templates: string }) {
  return {
    app: { baseUrl: 'http://localhost:3000' },
    backend: { baseUrl: 'http://localhost:7007' },
    permission: { enabled: true },
    integrations: {
      github: [{ host: d.gh.host, apiBaseUrl: d.gh.url, token: d.gh.token }],
    },
    catalog: {
      // Read each location once: a refresh would read GitHub at any time.
      processingInterval: { hours: 1 },
      rules: [
        { allow: ['Component', 'Location', 'Group', 'User', 'Template'] },
      ],
      locations: [
        { type: 'file', target: files.org },
        { type: 'file', target: files.templates },
        {
          type: 'file',
          target: DEFINITIONS,
          rules: [{ allow: ['Location', 'IntegratedService'] }],
        },
      ],
    },
    kubernetes: {
      serviceLocatorMethod: { type: 'multiTenant' },
      clusterLocatorMethods: [{ type: 'config', clusters: [] }],
    },
    events: {
      useEventBus: 'never',
      modules: { github: { webhookSecret: WEBHOOK_SECRET } },
    },
    pipelinePortal: {
      permission: { admins: [GROUPS.platform] },
      clusters: {
        management: {
          url: d.management.url,
          caData: d.management.caData,
          token: d.management.token,
          namespace: 'pipeline-clusters',
        },
        import: { allowedCidrs: ['127.0.0.0/8'] },
        secrets: {
          database: {
            keys: [{ id: 'test', secret: randomBytes(32).toString('base64') }],
          },
        },
        kubernetesSupplier: { refreshIntervalSeconds: 1 },
      },
      integratedServices: { definitionsCacheSeconds: 0 },
      spotguides: {
        // Nothing listens there: a ping to a registered webhook goes nowhere.
        webhookUrl: 'http://127.0.0.1:1/api/events/http/github',
      },
    },
  };
}

/** Every plugin of ours with its modules, and the Backstage plugins they extend. */
const FEATURES: Array<BackendFeature> = [
  catalogPlugin,
  catalogModuleScaffolderEntityModel,
  catalogModulePipelineClusters,
  catalogModuleIntegratedServices,
  permissionPlugin,
  permissionModulePortalPolicy,
  kubernetesPlugin,
  kubernetesModulePipelineClusters,
  scaffolderPlugin,
  scaffolderModulePipelineClusters,
  scaffolderModuleIntegratedServices,
  scaffolderModuleSpotguides,
  eventsPlugin,
  eventsModuleSpotguides,
  pipelineClustersPlugin,
  integratedServicesPlugin,
  spotguidesPlugin,
];

/** Sends a call with a caller's token for the path's plugin. */
function sender(server: World['server']) {
  return (call: Call, caller: CallerName) => {
    const method = call.method.toLowerCase() as
      | 'get'
      | 'post'
      | 'put'
      | 'patch'
      | 'delete';
    let req = request(server)[method](call.path);
    if (call.query) req = req.query(call.query);
    const auth = authorization(caller, pluginOf(call.path));
    if (auth) req = req.set('Authorization', auth);
    for (const [name, value] of Object.entries(call.headers ?? {})) {
      req = req.set(name, value);
    }
    return call.body === undefined ? req : req.send(call.body as object);
  };
}

/** Fails with the answer's body unless its status is one of `ok`. */
export function expectOk(res: request.Response, what: string, ok: number[]) {
  if (!ok.includes(res.status)) {
    throw new Error(
      `${what}: expected ${ok.join(' or ')}, got ${res.status}: ${res.text}`,
    );
  }
  return res;
}

/**
 * Starts the backend with the org and the templates in the catalog (from
 * files), over the doubles.
 */
export async function startWorld(options: {
  doubles: Doubles & { stop(): void };
  newDatabase: () => Promise<Knex>;
  /** The catalog's users and groups. */
  org: object[];
  /** One Template per scaffolder action. */
  templates: object[];
}): Promise<World & { stop(): Promise<void> }> {
  const { doubles } = options;
  const dir = await mkdtemp(path.join(tmpdir(), 'tenancy-catalog-'));
  const files = {
    org: path.join(dir, 'org.yaml'),
    templates: path.join(dir, 'templates.yaml'),
  };
  const yamlOf = (docs: object[]) => docs.map(e => stringify(e)).join('---\n');
  await writeFile(files.org, yamlOf(options.org));
  await writeFile(files.templates, yamlOf(options.templates));

  const scheduler = new OnDemandScheduler();
  const reads = new TaskEventReads();
  const backend = await startTestBackend({
    features: [
      mockServices.rootConfig.factory({ data: configFor(doubles, files) }),
      // A request without a token is nobody, as in production (the mock's
      // default would make it a user).
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.none(),
      }),
      perPluginDatabases(options.newDatabase, reads),
      scheduler.factory(),
      userInfoServiceFactory(OWNERSHIP),
      pluginActorAuthServiceFactory,
      eventsServiceFactoryWithLocalTopics,
      ...FEATURES,
    ],
  });
  const send = sender(backend.server);
  return {
    ...doubles,
    server: backend.server,
    scheduler,
    send,
    asAdmin: async (call, ...ok) =>
      expectOk(await send(call, 'admin'), `${call.method} ${call.path}`, ok),
    asOwner: async (call, ...ok) =>
      expectOk(await send(call, 'owner'), `${call.method} ${call.path}`, ok),
    async stop() {
      await backend.stop();
      await reads.settled();
      doubles.stop();
      await Promise.all([
        doubles.kube.close(),
        doubles.management.close(),
        doubles.gh.close(),
      ]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
