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
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';
import { Cluster } from '@pipeline-portal/plugin-pipeline-clusters-common';
import kubernetesModulePipelineClusters from '.';

type Handler = Parameters<HttpRouterService['use']>[0];

const alpha: Cluster = {
  name: 'alpha',
  owner: 'group:default/payments',
  distribution: 'aks',
  status: { phase: 'Running', apiServer: 'https://alpha.example.com' },
  revision: 1,
  createdAt: '2025-01-01T00:00:00Z',
  updatedAt: '2025-01-01T00:00:00Z',
};

/** Stands in for the pipeline-clusters REST API, with its service-only route. */
const pipelineClustersStandIn = createBackendPlugin({
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
            if (req.path === '/clusters') {
              res.json({ items: [alpha], totalCount: 1 });
              return;
            }
            if (req.path === '/clusters/alpha/access') {
              await httpAuth.credentials(req, { allow: ['service'] });
              res.json({
                name: 'alpha',
                apiServer: 'https://alpha.example.com',
                caData: 'QUxQSEEtQ0E=',
                token: 'alpha-secret-token',
              });
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

describe('kubernetesModulePipelineClusters', () => {
  it('lists the portal clusters next to the declared ones in the Kubernetes plugin', async () => {
    const backend = await startTestBackend({
      features: [
        kubernetesPlugin,
        kubernetesModulePipelineClusters,
        pipelineClustersStandIn,
        mockServices.rootConfig.factory({
          data: {
            kubernetes: {
              serviceLocatorMethod: { type: 'multiTenant' },
              clusterLocatorMethods: [
                {
                  type: 'config',
                  clusters: [
                    {
                      name: 'host',
                      url: 'https://host.example.com',
                      authProvider: 'serviceAccount',
                      serviceAccountToken: 'host-token',
                    },
                  ],
                },
              ],
            },
          },
        }),
      ],
    });
    const url = `http://localhost:${backend.server.port()}/api/kubernetes/clusters`;

    let body: { items: Array<{ name: string; authProvider: string }> };
    const deadline = Date.now() + 10_000;
    for (;;) {
      const res = await fetch(url, {
        headers: { Authorization: mockCredentials.user.header() },
      });
      expect(res.status).toBe(200);
      body = await res.json();
      if (body.items.length > 1 || Date.now() > deadline) break;
      await new Promise(resolve => setTimeout(resolve, 100));
    }

    expect(body.items).toEqual([
      { name: 'alpha', authProvider: 'serviceAccount' },
      { name: 'host', authProvider: 'serviceAccount' },
    ]);
    expect(JSON.stringify(body)).not.toContain('alpha-secret-token');
  });
});
