import {
  HttpRouterService,
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { Cluster } from '@pipeline-portal/plugin-pipeline-clusters-common';
import catalogModulePipelineClusters from '.';

type Handler = Parameters<HttpRouterService['use']>[0];

const alpha: Cluster = {
  name: 'alpha',
  owner: 'group:default/payments',
  distribution: 'gke',
  status: {
    phase: 'Running',
    kubernetesVersion: '1.33',
    apiServer: 'https://alpha.example.com',
  },
  revision: 3,
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
              // Two pages: the second one holds only a Deleted cluster.
              if (req.query.cursor === 'page-2') {
                res.json({
                  items: [
                    { ...alpha, name: 'gone', status: { phase: 'Deleted' } },
                  ],
                  totalCount: 2,
                });
              } else {
                res.json({
                  items: [alpha],
                  totalCount: 2,
                  nextCursor: 'page-2',
                });
              }
              return;
            }
            if (req.path === '/clusters/alpha/access') {
              await httpAuth.credentials(req, { allow: ['service'] });
              res.json({
                name: 'alpha',
                apiServer: alpha.status.apiServer,
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

async function waitForResources(baseUrl: string): Promise<Entity[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const res = await fetch(
      `${baseUrl}/api/catalog/entities?filter=kind=resource`,
      { headers: { Authorization: mockCredentials.user.header() } },
    );
    expect(res.status).toBe(200);
    const entities: Entity[] = await res.json();
    if (entities.length > 0 || Date.now() > deadline) return entities;
    await new Promise(resolve => setTimeout(resolve, 200));
  }
}

describe('catalogModulePipelineClusters', () => {
  it('puts the portal clusters into the catalog through the REST API', async () => {
    const backend = await startTestBackend({
      features: [
        catalogPlugin,
        catalogModulePipelineClusters,
        pipelineClustersStandIn,
      ],
    });
    const baseUrl = `http://localhost:${backend.server.port()}`;

    const entities = await waitForResources(baseUrl);

    expect(entities).toHaveLength(1);
    const [entity] = entities;
    expect(entity.metadata.name).toBe('alpha');
    expect(entity.spec).toEqual({
      type: 'kubernetes-cluster',
      owner: 'group:default/payments',
      lifecycle: 'production',
    });
    expect(entity.metadata.annotations).toMatchObject({
      'backstage.io/managed-by-location': `pipeline-clusters:${baseUrl}/api/pipeline-clusters/clusters/alpha`,
      'pipeline-portal.io/cluster': 'alpha',
      'pipeline-portal.io/distribution': 'gke',
      'pipeline-portal.io/phase': 'Running',
      'kubernetes.io/api-server': 'https://alpha.example.com',
      // Served only to a service principal: proves the module's service token.
      'kubernetes.io/api-server-certificate-authority': 'QUxQSEEtQ0E=',
      'kubernetes.io/auth-provider': 'serviceAccount',
    });
    expect(JSON.stringify(entity)).not.toContain('alpha-secret-token');
    // The catalog resolved the owner into a relation.
    expect(entity.relations).toContainEqual(
      expect.objectContaining({
        type: 'ownedBy',
        targetRef: 'group:default/payments',
      }),
    );
  });
});
