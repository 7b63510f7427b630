import {
  BackstageCredentials,
  coreServices,
  createServiceFactory,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { ConflictError } from '@backstage/errors';
import {
  AuthorizeResult,
  Permission,
} from '@backstage/plugin-permission-common';
import {
  clusterReadPermission,
  PipelineClustersClient,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { createNamespaceCreateAction } from '@pipeline-portal/plugin-scaffolder-backend-module-pipeline-clusters';
import { KubeApi, KYVERNO_CRDS, startKubeApi } from '@pipeline-portal/testing';
import { Knex } from 'knex';
import request from 'supertest';
import { stringify } from 'yaml';
import {
  authAs,
  expectStatus,
  PortalBackend,
  startPortalBackend,
  USERS,
} from '../__testUtils__/portalBackend';
import { ClusterStore } from '../store/ClusterStore';

jest.setTimeout(120_000);

const BASE = '/api/pipeline-clusters';
const bob = authAs(USERS.bob);
const carol = authAs(USERS.carol);
const alice = authAs(USERS.alice);

/** Imports of clusters on 127.0.0.1 (the doubles) are allowed. */
const loopbackImports = {
  pipelinePortal: { clusters: { import: { allowedCidrs: ['127.0.0.0/8'] } } },
};

/** A kubeconfig with the double's address, CA and token. */
const kubeconfigFor = (api: KubeApi) =>
  stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'target',
        cluster: { server: api.url, 'certificate-authority-data': api.caData },
      },
    ],
    users: [{ name: 'portal', user: { token: api.token } }],
    contexts: [
      { name: 'target', context: { cluster: 'target', user: 'portal' } },
    ],
    'current-context': 'target',
  });

/** A workload cluster: team namespaces need Kyverno's Policy kind. */
const startWorkloadCluster = () => startKubeApi({ crds: KYVERNO_CRDS });

async function importCluster(
  backend: PortalBackend,
  name: string,
  api: KubeApi,
) {
  expectStatus(
    await request(backend.server)
      .post(`${BASE}/clusters/import`)
      .set('Authorization', bob)
      .send({
        name,
        owner: 'group:default/payments',
        kubeconfig: kubeconfigFor(api),
      }),
    201,
  );
}

/**
 * A policy allowing everything but `cluster.read` to one user, recording
 * the resource each `cluster.read` was asked for.
 */
function refuseClusterReadTo(user: string, asked: string[]) {
  const decide = (
    permission: Permission,
    credentials: BackstageCredentials,
    resourceRef?: string,
  ) => {
    if (permission.name !== clusterReadPermission.name) {
      return AuthorizeResult.ALLOW;
    }
    asked.push(resourceRef ?? '(none)');
    const principal = credentials.principal as { userEntityRef?: string };
    return principal.userEntityRef === user
      ? AuthorizeResult.DENY
      : AuthorizeResult.ALLOW;
  };
  return createServiceFactory({
    service: coreServices.permissions,
    deps: {},
    factory: (): PermissionsService => ({
      authorize: async (requests, { credentials }) =>
        requests.map(r => ({
          result: decide(
            r.permission,
            credentials,
            'resourceRef' in r ? r.resourceRef : undefined,
          ),
        })) as any,
      authorizeConditional: async (requests, { credentials }) =>
        requests.map(r => ({
          result: decide(r.permission, credentials),
        })) as any,
    }),
  });
}

describe('GET /clusters/{name}/namespaces', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    let backend: PortalBackend;
    let workload: KubeApi;
    let knex: Knex;

    const list = (cluster: string, as = bob) =>
      request(backend.server)
        .get(`${BASE}/clusters/${cluster}/namespaces`)
        .set('Authorization', as);

    const createNamespace = async (namespace: string, team: string) =>
      expectStatus(
        await request(backend.server)
          .post(`${BASE}/clusters/apps/namespaces`)
          .set('Authorization', bob)
          .send({ namespace, team }),
        201,
      );

    beforeAll(async () => {
      workload = await startWorkloadCluster();
      knex = await databases.init(databaseId);
      backend = await startPortalBackend({
        knex,
        config: loopbackImports,
      });
      await importCluster(backend, 'apps', workload);
    });
    afterAll(async () => {
      await backend?.stop();
      await workload?.close();
    });

    it('starts empty: the namespaces the cluster came with are not the portal’s', async () => {
      const res = await list('apps');
      expectStatus(res, 200);
      expect(res.body).toEqual({ items: [] });
    });

    it('lists the namespaces created through POST, by name, with their owner and team', async () => {
      await createNamespace('payments-web', 'group:default/payments');
      await createNamespace('marketing-jobs', 'group:default/marketing');
      // Labelled by someone else, or not at all: not the portal's.
      workload.create({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'legacy' },
      });
      workload.create({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name: 'argo',
          labels: { 'pipeline-portal.io/managed-by': 'argocd' },
        },
      });

      const res = await list('apps');
      expectStatus(res, 200);
      expect(res.body.items).toEqual([
        {
          name: 'marketing-jobs',
          owner: 'group:default/marketing',
          team: 'marketing',
          phase: 'Active',
          createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        },
        {
          name: 'payments-web',
          owner: 'group:default/payments',
          team: 'payments',
          phase: 'Active',
          createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        },
      ]);
      // Read with the portal's label as selector, never every namespace.
      expect(res.text).not.toContain('legacy');
      expect(res.text).not.toContain('kube-system');
    });

    it('lets any caller who may read the cluster list them, as GET /clusters/{name}', async () => {
      expectStatus(
        await request(backend.server)
          .get(`${BASE}/clusters/apps`)
          .set('Authorization', carol),
        200,
      );
      const res = await list('apps', carol);
      expectStatus(res, 200);
      expect(res.body.items.map((n: { name: string }) => n.name)).toEqual([
        'marketing-jobs',
        'payments-web',
      ]);
    });

    it('is what PipelineClustersClient.listNamespaces reads', async () => {
      const client = new PipelineClustersClient({
        discoveryApi: { getBaseUrl: async () => `${backend.baseUrl}${BASE}` },
      });
      const token = bob.replace(/^Bearer /, '');
      const items = await client.listNamespaces('apps', { token });
      expect(items.map(n => n.name)).toEqual([
        'marketing-jobs',
        'payments-web',
      ]);
      await expect(
        client.listNamespaces('nope', { token }),
      ).rejects.toMatchObject({ response: { status: 404 } });
    });

    it('answers 404 for an unknown cluster and 400 naming a bad name', async () => {
      const missing = await list('nope');
      expectStatus(missing, 404);
      expect(missing.body.error.message).toBe('cluster "nope" not found');
      const bad = await list('Not_A_Label');
      expectStatus(bad, 400);
      expect(bad.body.error.name).toBe('InputError');
      expect(bad.body.error.message).toMatch(/^invalid cluster name in path: /);
    });

    it('refuses a caller whose token does not authenticate', async () => {
      workload.requests.clear();
      const res = await list('apps', mockCredentials.user.invalidHeader());
      expectStatus(res, 401);
      expect(res.body.error.name).toBe('AuthenticationError');
      expect(workload.requests.count()).toBe(0);
    });

    it('answers 400 for a cluster that is not running yet', async () => {
      const store = await ClusterStore.create({ database: knex });
      await store.insert({
        name: 'coming',
        owner: 'group:default/payments',
        distribution: 'eks',
        phase: 'Provisioning',
      });
      const res = await list('coming');
      expectStatus(res, 400);
      expect(res.body.error.message).toBe(
        'cluster: "coming" is Provisioning, not Running',
      );
    });

    it('answers 503 naming the cluster when its API server does not answer', async () => {
      const gone = await startWorkloadCluster();
      await importCluster(backend, 'gone', gone);
      await gone.close();
      const res = await list('gone');
      expectStatus(res, 503);
      expect(res.body.error.name).toBe('ServiceUnavailableError');
      expect(res.body.error.message).toContain(
        'Listing the namespaces of cluster "gone" failed',
      );
      expect(res.text).not.toContain(gone.token);
    });
  });

  describe('with a policy refusing carol cluster.read', () => {
    let backend: PortalBackend;
    let workload: KubeApi;
    const asked: string[] = [];

    beforeAll(async () => {
      workload = await startWorkloadCluster();
      backend = await startPortalBackend({
        knex: await databases.init('SQLITE_3'),
        config: loopbackImports,
        features: [refuseClusterReadTo(USERS.carol, asked)],
      });
      await importCluster(backend, 'apps', workload);
    });
    afterAll(async () => {
      await backend?.stop();
      await workload?.close();
    });

    it('refuses her the list as it refuses her the cluster, without asking the cluster', async () => {
      const cluster = await request(backend.server)
        .get(`${BASE}/clusters/apps`)
        .set('Authorization', carol);
      expectStatus(cluster, 403);
      workload.requests.clear();
      const res = await request(backend.server)
        .get(`${BASE}/clusters/apps/namespaces`)
        .set('Authorization', carol);
      expectStatus(res, 403);
      expect(res.body.error.message).toBe('not allowed: cluster.read on apps');
      expect(workload.requests.count()).toBe(0);
      expect(asked).toEqual(['apps', 'apps']);

      const allowed = await request(backend.server)
        .get(`${BASE}/clusters/apps/namespaces`)
        .set('Authorization', bob);
      expectStatus(allowed, 200);
      expect(allowed.body).toEqual({ items: [] });
    });
  });
});

describe('POST /clusters/{name}/namespaces never takes over a namespace', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    let backend: PortalBackend;
    let workload: KubeApi;

    const create = (namespace: string, team: string, as = bob) =>
      request(backend.server)
        .post(`${BASE}/clusters/apps/namespaces`)
        .set('Authorization', as)
        .send({ namespace, team });

    /** Requests that write to the workload cluster. */
    const writes = () =>
      workload.requests.count(r => !['GET', 'HEAD'].includes(r.method));

    const namespaceOf = (name: string) =>
      workload.get({ apiVersion: 'v1', kind: 'Namespace', name }) as any;

    /** A 409 with the message, and the cluster asked for no write. */
    async function expectRefused(
      namespace: string,
      team: string,
      message: string,
      as = bob,
    ) {
      const before = JSON.stringify(namespaceOf(namespace));
      workload.requests.clear();
      const res = await create(namespace, team, as);
      expectStatus(res, 409);
      expect(res.body.error.name).toBe('ConflictError');
      expect(res.body.error.message).toBe(message);
      expect(writes()).toBe(0);
      expect(JSON.stringify(namespaceOf(namespace))).toBe(before);
      return namespaceOf(namespace);
    }

    beforeAll(async () => {
      workload = await startWorkloadCluster();
      backend = await startPortalBackend({
        knex: await databases.init(databaseId),
        config: loopbackImports,
      });
      await importCluster(backend, 'apps', workload);
      // On payments' cluster, an admin made a namespace for marketing.
      expectStatus(
        await create('marketing-jobs', 'group:default/marketing', alice),
        201,
      );
      workload.create({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name: 'legacy',
          // Written by hand: the annotation alone does not make it the portal's.
          annotations: { 'pipeline-portal.io/owner': 'group:default/payments' },
        },
      });
    });
    afterAll(async () => {
      await backend?.stop();
      await workload?.close();
    });

    it('refuses the owner of the cluster another team’s namespace', async () => {
      await expectRefused(
        'marketing-jobs',
        'group:default/payments',
        'namespace: "marketing-jobs" belongs to group:default/marketing; only an admin may take it over',
      );
      expect(namespaceOf('marketing-jobs').metadata.annotations).toEqual({
        'pipeline-portal.io/owner': 'group:default/marketing',
      });
    });

    it('refuses a namespace the portal did not create', async () => {
      const kept = await expectRefused(
        'legacy',
        'group:default/payments',
        'namespace: "legacy" already exists and was not created by the portal (no pipeline-portal.io/managed-by=pipeline-portal label); only an admin may take it over',
      );
      expect(kept.metadata.labels ?? {}).not.toHaveProperty(
        'pipeline-portal.io/managed-by',
      );
    });

    it('refuses another plugin on its own behalf before looking: namespaces are created for a person', async () => {
      const plugin = mockCredentials.service.header({
        onBehalfOf: mockCredentials.service('plugin:spotguides'),
        targetPluginId: 'pipeline-clusters',
      });
      const before = JSON.stringify(namespaceOf('legacy'));
      workload.requests.clear();
      const res = await create('legacy', 'group:default/payments', plugin);
      expectStatus(res, 403);
      expect(workload.requests.count()).toBe(0);
      expect(JSON.stringify(namespaceOf('legacy'))).toBe(before);
    });

    it('refuses it through pipeline:namespace:create as well, writing nothing', async () => {
      const action = createNamespaceCreateAction({
        client: new PipelineClustersClient({
          discoveryApi: { getBaseUrl: async () => `${backend.baseUrl}${BASE}` },
        }),
        auth: mockServices.auth(),
      });
      const checkpoints = new Map<string, unknown>();
      const ctx = {
        input: {
          cluster: 'resource:default/apps',
          namespace: 'marketing-jobs',
          team: 'payments',
        },
        logger: mockServices.logger.mock(),
        output: jest.fn(),
        isDryRun: false,
        getInitiatorCredentials: async () => mockCredentials.user(USERS.bob),
        checkpoint: async (opts: {
          key: string;
          fn: () => Promise<unknown>;
        }) => {
          const value = await opts.fn();
          checkpoints.set(opts.key, value);
          return value;
        },
      } as any;
      workload.requests.clear();
      const run = action.handler(ctx);
      await expect(run).rejects.toThrow(ConflictError);
      await expect(run).rejects.toThrow(
        'Creating namespace marketing-jobs on cluster apps failed: namespace: "marketing-jobs" belongs to group:default/marketing; only an admin may take it over',
      );
      expect(checkpoints.size).toBe(0);
      expect(ctx.output).not.toHaveBeenCalled();
      expect(writes()).toBe(0);
    });

    it('lets an admin take one over, and says so in the log', async () => {
      const res = await create('legacy', 'group:default/payments', alice);
      expectStatus(res, 201);
      expect(namespaceOf('legacy').metadata.labels).toMatchObject({
        'pipeline-portal.io/managed-by': 'pipeline-portal',
        'pipeline-portal.io/team': 'payments',
      });
      expect(
        backend.logs.some(
          l =>
            l.level === 'warn' &&
            l.message ===
              `namespace legacy on cluster apps: ${USERS.alice} took over a namespace the portal did not create for group:default/payments`,
        ),
      ).toBe(true);
      // Now the portal's and payments': the owners may update it.
      expectStatus(await create('legacy', 'group:default/payments'), 201);
    });
  });
});

describe('GET /clusters/{name}/namespaces/{namespace}', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
  const pluginToken = (id: string) =>
    mockCredentials.service.header({
      onBehalfOf: mockCredentials.service(`plugin:${id}`),
      targetPluginId: 'pipeline-clusters',
    });

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    let backend: PortalBackend;
    let workload: KubeApi;

    const read = (namespace: string, as = bob, cluster = 'apps') =>
      request(backend.server)
        .get(`${BASE}/clusters/${cluster}/namespaces/${namespace}`)
        .set('Authorization', as);

    const PAYMENTS_WEB = {
      name: 'payments-web',
      owner: 'group:default/payments',
      team: 'payments',
      phase: 'Active',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    };

    beforeAll(async () => {
      workload = await startWorkloadCluster();
      backend = await startPortalBackend({
        knex: await databases.init(databaseId),
        config: loopbackImports,
      });
      await importCluster(backend, 'apps', workload);
      for (const [namespace, team, as] of [
        ['payments-web', 'group:default/payments', bob],
        ['marketing-jobs', 'group:default/marketing', alice],
      ]) {
        expectStatus(
          await request(backend.server)
            .post(`${BASE}/clusters/apps/namespaces`)
            .set('Authorization', as)
            .send({ namespace, team }),
          201,
        );
      }
      workload.create({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name: 'lookalike',
          labels: { 'pipeline-portal.io/team': 'payments' },
          annotations: { 'pipeline-portal.io/owner': 'group:default/payments' },
        },
      });
    });
    afterAll(async () => {
      await backend?.stop();
      await workload?.close();
    });

    it('answers the owner with the namespace’s owner, team, phase and creation', async () => {
      const res = await read('payments-web');
      expectStatus(res, 200);
      expect(res.body).toEqual(PAYMENTS_WEB);
    });

    it('answers another team and an admin as the list does: whoever may read the cluster', async () => {
      for (const as of [carol, alice]) {
        const res = await read('payments-web', as);
        expectStatus(res, 200);
        expect(res.body).toEqual(PAYMENTS_WEB);
      }
      const other = await read('marketing-jobs', bob);
      expectStatus(other, 200);
      expect(other.body.owner).toBe('group:default/marketing');
    });

    it.each([
      ['an unknown namespace', 'nope'],
      ['a namespace the portal did not create', 'kube-system'],
      [
        'a namespace with the owner annotation but no managed-by label',
        'lookalike',
      ],
    ])('answers 404 for %s, alike', async (_what, namespace) => {
      const res = await read(namespace);
      expectStatus(res, 404);
      expect(res.body.error.name).toBe('NotFoundError');
      expect(res.body.error.message).toBe(
        `namespace "${namespace}" is not a team namespace on cluster "apps"`,
      );
      expect(res.text).not.toContain('group:default/payments');
    });

    it('answers 404 for an unknown cluster and 400 naming a bad namespace', async () => {
      const cluster = await read('payments-web', bob, 'nope');
      expectStatus(cluster, 404);
      expect(cluster.body.error.message).toBe('cluster "nope" not found');
      const bad = await read('Payments_Web');
      expectStatus(bad, 400);
      expect(bad.body.error.message).toMatch(/^invalid namespace in path: /);
    });

    it.each(['spotguides', 'kubernetes', 'integrated-services'])(
      'answers %s, a plugin that may reach clusters, with its service token',
      async id => {
        const res = await read('payments-web', pluginToken(id));
        expectStatus(res, 200);
        expect(res.body).toEqual(PAYMENTS_WEB);
      },
    );

    it.each(['catalog', 'scaffolder'])(
      'refuses %s with 403 without asking the cluster',
      async id => {
        workload.requests.clear();
        const res = await read('payments-web', pluginToken(id));
        expectStatus(res, 403);
        expect(res.body.error.message).toBe(
          `plugin ${id} may not read a cluster's team namespaces: only kubernetes, spotguides, integrated-services (pipelinePortal.clusters.serviceAccess.clusterAccess)`,
        );
        const bad = await read('Bad_Name', pluginToken(id));
        expectStatus(bad, 403);
        expect(workload.requests.count()).toBe(0);
      },
    );

    it('is what PipelineClustersClient.getNamespace reads', async () => {
      const client = new PipelineClustersClient({
        discoveryApi: { getBaseUrl: async () => `${backend.baseUrl}${BASE}` },
      });
      const token = pluginToken('spotguides').replace(/^Bearer /, '');
      await expect(
        client.getNamespace('apps', 'payments-web', { token }),
      ).resolves.toEqual(PAYMENTS_WEB);
      await expect(
        client.getNamespace('apps', 'lookalike', { token }),
      ).rejects.toMatchObject({ response: { status: 404 } });
    });
  });

  describe('with a policy refusing carol cluster.read', () => {
    let backend: PortalBackend;
    let workload: KubeApi;
    const asked: string[] = [];

    beforeAll(async () => {
      workload = await startWorkloadCluster();
      backend = await startPortalBackend({
        knex: await databases.init('SQLITE_3'),
        config: loopbackImports,
        features: [refuseClusterReadTo(USERS.carol, asked)],
      });
      await importCluster(backend, 'apps', workload);
      expectStatus(
        await request(backend.server)
          .post(`${BASE}/clusters/apps/namespaces`)
          .set('Authorization', bob)
          .send({ namespace: 'payments-web', team: 'payments' }),
        201,
      );
    });
    afterAll(async () => {
      await backend?.stop();
      await workload?.close();
    });

    it('refuses her the namespace as it refuses her the list, without asking the cluster', async () => {
      workload.requests.clear();
      const res = await request(backend.server)
        .get(`${BASE}/clusters/apps/namespaces/payments-web`)
        .set('Authorization', carol);
      expectStatus(res, 403);
      expect(res.body.error.message).toBe('not allowed: cluster.read on apps');
      expect(workload.requests.count()).toBe(0);
      const owner = await request(backend.server)
        .get(`${BASE}/clusters/apps/namespaces/payments-web`)
        .set('Authorization', bob);
      expectStatus(owner, 200);
    });
  });
});
