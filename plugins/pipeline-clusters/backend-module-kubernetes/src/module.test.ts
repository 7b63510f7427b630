import {
  HttpRouterService,
  PermissionsService,
  coreServices,
  createBackendPlugin,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';
import { KubeApi, startKubeApi } from '@pipeline-portal/testing';
import {
  Cluster,
  ClusterAccess,
  clusterKubernetesAccessPermission,
  kubernetesDeclaredClusterAccessPermission,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { parse } from 'yaml';
import kubernetesModulePipelineClusters from '.';

type Handler = Parameters<HttpRouterService['use']>[0];

/** Fails with the error body, which says more than the status. */
function expectOk(status: number, body: unknown) {
  if (status !== 200) {
    throw new Error(`HTTP ${status}: ${JSON.stringify(body)}`);
  }
}

const checkout = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'checkout',
    namespace: 'default',
    annotations: { 'backstage.io/kubernetes-id': 'checkout' },
  },
  spec: { type: 'service', owner: 'payments', lifecycle: 'production' },
};

const ALICE = 'user:default/alice'; // an admin
const BOB = 'user:default/bob'; // owns the tokened cluster only

/**
 * The portal's policy in small: admins reach every cluster; bob reaches the
 * portal clusters his team owns and no declared cluster that lends the
 * backend's credential. Every decision asked is recorded.
 */
const asked: Array<{ user: string; permission: string; resourceRef?: string }> =
  [];
const permissionsFactory = createServiceFactory({
  service: coreServices.permissions,
  deps: {},
  factory: (): PermissionsService => {
    const decide = (user: string, name: string, resourceRef?: string) => {
      if (user === ALICE) return true;
      if (user !== BOB) return false;
      if (name === clusterKubernetesAccessPermission.name) {
        return resourceRef === 'tokened';
      }
      return name !== kubernetesDeclaredClusterAccessPermission.name;
    };
    const authorize: PermissionsService['authorize'] = async (
      requests,
      { credentials },
    ) => {
      const principal = credentials.principal as {
        type: string;
        userEntityRef?: string;
      };
      return requests.map(r => {
        const resourceRef = (r as { resourceRef?: string }).resourceRef;
        const user = principal.userEntityRef ?? principal.type;
        asked.push({ user, permission: r.permission.name, resourceRef });
        // As the framework does: a service principal is allowed everything.
        return {
          result:
            principal.type === 'service' ||
            decide(user, r.permission.name, resourceRef)
              ? AuthorizeResult.ALLOW
              : AuthorizeResult.DENY,
        };
      });
    };
    return {
      authorize,
      authorizeConditional: async requests =>
        requests.map(() => ({ result: AuthorizeResult.ALLOW })),
    } as PermissionsService;
  },
});

/**
 * Backstage's Kubernetes plugin, with this module, reaching clusters served
 * by the Kubernetes double: one whose kubeconfig has a token, one with only
 * a client certificate, and one declared in config.
 */
describe('the Kubernetes plugin reaching portal clusters', () => {
  let tokened: KubeApi;
  let certified: KubeApi;
  let declared: KubeApi;
  let baseUrl: string;
  let stop: () => Promise<void>;
  let listed: { items: Array<Record<string, unknown>> };
  const secrets: string[] = [];

  const running = (name: string): Cluster => ({
    name,
    owner: 'group:default/payments',
    distribution: 'import',
    status: { phase: 'Running' },
    revision: 1,
    createdAt: '2025-01-01T00:00:00Z',
    updatedAt: '2025-01-01T00:00:00Z',
  });

  /** What the pipeline-clusters API answers for a stored kubeconfig. */
  function accessFrom(name: string, kubeconfigYaml: string): ClusterAccess {
    const kubeconfig = parse(kubeconfigYaml);
    const user = kubeconfig.users[0].user;
    return {
      name,
      apiServer: kubeconfig.clusters[0].cluster.server,
      caData: kubeconfig.clusters[0].cluster['certificate-authority-data'],
      token: user.token,
      clientCertificateData: user['client-certificate-data'],
      clientKeyData: user['client-key-data'],
    };
  }

  beforeAll(async () => {
    [tokened, certified, declared] = await Promise.all([
      startKubeApi({ namespaces: ['shop'] }),
      startKubeApi({ namespaces: ['shop'] }),
      startKubeApi(),
    ]);
    const accesses: Record<string, ClusterAccess> = {
      tokened: accessFrom('tokened', tokened.kubeConfigYaml),
      certified: accessFrom(
        'certified',
        certified.clientCertificateKubeConfigYaml('portal-admin'),
      ),
    };
    secrets.push(
      tokened.token,
      declared.token,
      accesses.certified.clientKeyData!,
      Buffer.from(accesses.certified.clientKeyData!, 'base64').toString(),
    );
    for (const api of [tokened, certified]) {
      api.create({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: {
          name: 'checkout',
          namespace: 'shop',
          labels: { 'backstage.io/kubernetes-id': 'checkout' },
        },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'checkout' } },
          template: {
            metadata: { labels: { app: 'checkout' } },
            spec: { containers: [{ name: 'app', image: 'checkout:1' }] },
          },
        },
      });
    }

    const standIn = createBackendPlugin({
      pluginId: 'pipeline-clusters',
      register(env) {
        env.registerInit({
          deps: {
            httpRouter: coreServices.httpRouter,
            httpAuth: coreServices.httpAuth,
          },
          async init({ httpRouter, httpAuth }) {
            const handler: Handler = async (req, res, next) => {
              try {
                await httpAuth.credentials(req, { allow: ['service'] });
                if (req.path === '/clusters') {
                  res.json({
                    items: Object.keys(accesses).map(running),
                    totalCount: 2,
                  });
                  return;
                }
                const match = /^\/clusters\/([^/]+)\/access$/.exec(req.path);
                if (match && accesses[match[1]]) {
                  res.json(accesses[match[1]]);
                  return;
                }
                next();
              } catch (error) {
                next(error);
              }
            };
            httpRouter.use(handler);
          },
        });
      },
    });

    const backend = await startTestBackend({
      features: [
        kubernetesPlugin,
        kubernetesModulePipelineClusters,
        standIn,
        catalogServiceMock.factory({ entities: [checkout] }),
        permissionsFactory,
        mockServices.rootConfig.factory({
          data: {
            kubernetes: {
              serviceLocatorMethod: { type: 'multiTenant' },
              clusterLocatorMethods: [
                {
                  type: 'config',
                  clusters: [
                    {
                      name: 'declared',
                      url: declared.url,
                      caData: declared.caData,
                      authProvider: 'serviceAccount',
                      serviceAccountToken: declared.token,
                    },
                    {
                      // Reached with each person's own token.
                      name: 'personal',
                      url: declared.url,
                      caData: declared.caData,
                      authProvider: 'oidc',
                      oidcTokenProvider: 'dex',
                    },
                  ],
                },
              ],
            },
          },
        }),
      ],
    });
    baseUrl = `http://localhost:${backend.server.port()}/api/kubernetes`;
    stop = () => backend.stop();

    // The supplier loads in the background once the backend has started.
    const deadline = Date.now() + 15_000;
    for (;;) {
      const res = await fetch(`${baseUrl}/clusters`, {
        headers: { Authorization: mockCredentials.user.header(ALICE) },
      });
      const body = await res.json();
      if (body.items?.length === 4) {
        listed = body;
        break;
      }
      if (Date.now() > deadline) {
        throw new Error(`clusters not supplied: ${JSON.stringify(body)}`);
      }
      await new Promise(resolve => setTimeout(resolve, 100));
    }
  });

  afterAll(async () => {
    await stop?.();
    await Promise.all([tokened, certified, declared].map(api => api?.close()));
  });

  it('lists the portal clusters next to the declared ones for an admin, without their credentials', () => {
    expect(
      listed.items.map(({ name, authProvider }) => ({ name, authProvider })),
    ).toEqual([
      { name: 'tokened', authProvider: 'serviceAccount' },
      { name: 'certified', authProvider: 'serviceAccount' },
      { name: 'declared', authProvider: 'serviceAccount' },
      { name: 'personal', authProvider: 'oidc' },
    ]);
    const text = JSON.stringify(listed);
    for (const secret of secrets) expect(text).not.toContain(secret);
  });

  async function proxy(cluster: string, path: string, authorization?: string) {
    const res = await fetch(`${baseUrl}/proxy${path}`, {
      headers: {
        Authorization: authorization ?? mockCredentials.user.header(ALICE),
        'Backstage-Kubernetes-Cluster': cluster,
      },
    });
    return { status: res.status, body: await res.json() };
  }

  it("lists for a member only the clusters their team owns and those reached with the member's own token", async () => {
    const res = await fetch(`${baseUrl}/clusters`, {
      headers: { Authorization: mockCredentials.user.header(BOB) },
    });
    const body = await res.json();
    expectOk(res.status, body);
    expect(body.items.map((c: any) => c.name)).toEqual(['tokened', 'personal']);
    expect(asked).toEqual(
      expect.arrayContaining([
        {
          user: BOB,
          permission: 'cluster.kubernetes.access',
          resourceRef: 'certified',
        },
        {
          user: BOB,
          permission: 'kubernetes.declared-cluster.access',
          resourceRef: undefined,
        },
      ]),
    );
  });

  it.each([
    ['certified', () => certified],
    ['declared', () => declared],
  ])(
    "never lends %s's credential to a member who may not reach it: 404, and the cluster saw no request",
    async (name, api) => {
      const before = api().requests.list().length;
      const { status, body } = await proxy(
        name,
        '/api/v1/namespaces/kube-system/secrets',
        mockCredentials.user.header(BOB),
      );
      expect(status).toBe(404);
      expect(body.error.message).toBe(`Cluster '${name}' not found`);
      expect(api().requests.list()).toHaveLength(before);
    },
  );

  it("proxies a member's request to the cluster their team owns", async () => {
    const { status, body } = await proxy(
      'tokened',
      '/api/v1/namespaces',
      mockCredentials.user.header(BOB),
    );
    expectOk(status, body);
    expect(tokened.requests.list().at(-1)).toMatchObject({
      path: '/api/v1/namespaces',
      status: 200,
    });
  });

  it("lends no backend-held credential to another plugin's service request", async () => {
    const before = tokened.requests.list().length;
    const { status } = await proxy(
      'tokened',
      '/api/v1/namespaces',
      mockCredentials.service.header({
        onBehalfOf: mockCredentials.service('plugin:catalog'),
        targetPluginId: 'kubernetes',
      }),
    );
    expect(status).toBe(404);
    expect(tokened.requests.list()).toHaveLength(before);
    const res = await fetch(`${baseUrl}/clusters`, {
      headers: {
        Authorization: mockCredentials.service.header({
          onBehalfOf: mockCredentials.service('plugin:catalog'),
          targetPluginId: 'kubernetes',
        }),
      },
    });
    expect((await res.json()).items.map((c: any) => c.name)).toEqual([
      'personal',
    ]);
  });

  it.each([
    ['tokened', () => tokened, 'token'],
    ['certified', () => certified, 'x509:portal-admin'],
    ['declared', () => declared, 'token'],
  ])('proxies to %s with its own credential', async (name, api, user) => {
    const { status, body } = await proxy(name, '/api/v1/namespaces');
    expectOk(status, body);
    expect(body.items.map((n: any) => n.metadata.name)).toContain(
      'kube-system',
    );
    expect(api().requests.list().at(-1)).toMatchObject({
      path: '/api/v1/namespaces',
      status: 200,
      user,
    });
  });

  it("shows an entity's workloads from a token cluster and a certificate cluster", async () => {
    const res = await fetch(`${baseUrl}/services/checkout`, {
      method: 'POST',
      headers: {
        Authorization: mockCredentials.user.header(ALICE),
        'Content-Type': 'application/json',
      },
      // The oidc cluster needs the person's token, which the frontend sends.
      body: JSON.stringify({
        entity: checkout,
        auth: { oidc: { dex: 'a-person-token' } },
      }),
    });
    const body = await res.json();
    expectOk(res.status, body);
    const deployments = (cluster: string) =>
      body.items
        .find((i: any) => i.cluster.name === cluster)
        ?.resources.find((r: any) => r.type === 'deployments')
        ?.resources.map((d: any) => d.metadata.name);
    expect(deployments('tokened')).toEqual(['checkout']);
    expect(deployments('certified')).toEqual(['checkout']);
    const errors = body.items.flatMap((i: any) => i.errors ?? []);
    expect(
      errors.filter((e: any) => ['tokened', 'certified'].includes(e.cluster)),
    ).toEqual([]);
    expect(
      certified.requests.list(r => r.path.includes('/deployments')).at(-1)
        ?.user,
    ).toBe('x509:portal-admin');
  });
});
