import {
  HttpRouterService,
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
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
        headers: { Authorization: mockCredentials.user.header() },
      });
      const body = await res.json();
      if (body.items?.length === 3) {
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

  it('lists the portal clusters next to the declared one, without their credentials', () => {
    expect(
      listed.items.map(({ name, authProvider }) => ({ name, authProvider })),
    ).toEqual([
      { name: 'tokened', authProvider: 'serviceAccount' },
      { name: 'certified', authProvider: 'serviceAccount' },
      { name: 'declared', authProvider: 'serviceAccount' },
    ]);
    const text = JSON.stringify(listed);
    for (const secret of secrets) expect(text).not.toContain(secret);
  });

  async function proxy(cluster: string, path: string) {
    const res = await fetch(`${baseUrl}/proxy${path}`, {
      headers: {
        Authorization: mockCredentials.user.header(),
        'Backstage-Kubernetes-Cluster': cluster,
      },
    });
    return { status: res.status, body: await res.json() };
  }

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
        Authorization: mockCredentials.user.header(),
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({ entity: checkout }),
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
