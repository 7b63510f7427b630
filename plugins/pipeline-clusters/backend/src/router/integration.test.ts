import { TestDatabases } from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import catalogModuleScaffolderEntityModel from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import catalogModulePipelineClusters from '@pipeline-portal/plugin-catalog-backend-module-pipeline-clusters';
import kubernetesModulePipelineClusters from '@pipeline-portal/plugin-kubernetes-backend-module-pipeline-clusters';
import scaffolderModulePipelineClusters from '@pipeline-portal/plugin-scaffolder-backend-module-pipeline-clusters';
import { KubeApi, startKubeApi } from '@pipeline-portal/testing';
import path from 'node:path';
import request from 'supertest';
import { stringify } from 'yaml';
import { playEngines } from '../__testUtils__/engines';
import { startManagementCluster } from '../__testUtils__/fixtures';
import {
  authAs,
  expectStatus,
  PortalBackend,
  startPortalBackend,
  USERS,
} from '../__testUtils__/portalBackend';
import { CREDENTIALS } from '../distributions/__testUtils__/harness';

jest.setTimeout(120_000);

const BASE = '/api/pipeline-clusters';
const bob = authAs(USERS.bob);
const delay = (ms: number) => new Promise(r => setTimeout(r, ms));
const TEMPLATE = path.resolve(
  __dirname,
  '../../../../../templates/kubernetes-cluster/template.yaml',
);

/** Polls until `check` returns a value (or fails with the last one seen). */
async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 20_000,
  everyMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(everyMs);
  }
}

describe('the plugin inside the portal: catalog, Kubernetes and scaffolder', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    let management: KubeApi;
    let workload: KubeApi;
    let stopEngines: () => void;
    let backend: PortalBackend;

    beforeAll(async () => {
      [management, workload] = await Promise.all([
        startManagementCluster(['doks']),
        startKubeApi(),
      ]);
      stopEngines = playEngines(management, { readyAfterMs: 5 });
      backend = await startPortalBackend({
        knex: await databases.init(databaseId),
        otherDatabases: () => databases.init(databaseId),
        management,
        features: [
          catalogPlugin,
          catalogModuleScaffolderEntityModel,
          catalogModulePipelineClusters,
          kubernetesPlugin,
          kubernetesModulePipelineClusters,
          scaffolderPlugin,
          scaffolderModulePipelineClusters,
        ],
        config: {
          pipelinePortal: {
            clusters: {
              reconcile: { requestsPerSecondPerCluster: 1000 },
              import: { allowedCidrs: ['127.0.0.0/8'] },
              kubernetesSupplier: { refreshIntervalSeconds: 0.5 },
            },
          },
          catalog: {
            rules: [
              { allow: ['Component', 'Resource', 'Location', 'Template'] },
            ],
            locations: [{ type: 'file', target: TEMPLATE }],
            providers: {
              pipelineClusters: {
                schedule: {
                  frequency: { seconds: 1 },
                  timeout: { seconds: 30 },
                },
              },
            },
          },
          kubernetes: {
            serviceLocatorMethod: { type: 'multiTenant' },
            clusterLocatorMethods: [{ type: 'config', clusters: [] }],
          },
        },
      });
    });
    afterAll(async () => {
      await backend?.stop();
      stopEngines?.();
      await Promise.all([management?.close(), workload?.close()]);
    });

    it('shows an imported cluster in the catalog and the Kubernetes plugin, whose access to it works', async () => {
      const imported = await request(backend.server)
        .post(`${BASE}/clusters/import`)
        .set('Authorization', bob)
        .send({
          name: 'onprem',
          owner: 'group:default/payments',
          kubeconfig: workload.kubeConfigYaml,
        });
      expectStatus(imported, 201);

      // (a) the catalog, through the entity provider
      const entity = await eventually('the catalog entity', async () => {
        const res = await request(backend.server)
          .get('/api/catalog/entities/by-name/resource/default/onprem')
          .set('Authorization', bob);
        return res.status === 200 ? res.body : undefined;
      });
      expect(entity.spec).toMatchObject({
        type: 'kubernetes-cluster',
        owner: 'group:default/payments',
      });
      expect(entity.metadata.annotations).toMatchObject({
        'kubernetes.io/api-server': workload.url,
        'kubernetes.io/api-server-certificate-authority': workload.caData,
        'pipeline-portal.io/distribution': 'import',
      });
      expect(JSON.stringify(entity)).not.toContain(workload.token);

      // (b) the Kubernetes plugin, through the cluster supplier
      const clusters = await eventually('the Kubernetes plugin', async () => {
        const res = await request(backend.server)
          .get('/api/kubernetes/clusters')
          .set('Authorization', bob);
        expectStatus(res, 200);
        return res.body.items.some((c: { name: string }) => c.name === 'onprem')
          ? res.body.items
          : undefined;
      });
      expect(clusters).toContainEqual(
        expect.objectContaining({
          name: 'onprem',
          authProvider: 'serviceAccount',
        }),
      );
      expect(JSON.stringify(clusters)).not.toContain(workload.token);

      // (c) the Kubernetes plugin reaches the cluster through its proxy, with
      // the credential the supplier read from the SecretStore.
      workload.create({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: 'payments-settings',
          namespace: 'default',
          labels: { 'backstage.io/kubernetes-id': 'onprem' },
        },
        data: { mode: 'live' },
      });
      const proxied = await request(backend.server)
        .get('/api/kubernetes/proxy/api/v1/namespaces/default/configmaps')
        .query({ labelSelector: 'backstage.io/kubernetes-id=onprem' })
        .set('Authorization', bob)
        .set('Backstage-Kubernetes-Cluster', 'onprem');
      expectStatus(proxied, 200);
      expect(
        proxied.body.items.map(
          (c: { metadata: { name: string } }) => c.metadata.name,
        ),
      ).toEqual(['payments-settings']);
      expect(
        workload.requests.list(r => r.path.endsWith('/configmaps')).at(-1),
      ).toMatchObject({ status: 200, user: 'token' });
    });

    it('runs the kubernetes-cluster template: create and wait, through a real scaffolder task', async () => {
      expectStatus(
        await request(backend.server)
          .post(`${BASE}/credentials`)
          .set('Authorization', bob)
          .send({
            name: 'payments-do',
            owner: 'group:default/payments',
            kind: 'digitalocean',
            value: CREDENTIALS.doks,
          }),
        201,
      );
      // The template reaches the catalog from catalog.locations.
      await eventually('the template in the catalog', async () => {
        const res = await request(backend.server)
          .get(
            '/api/catalog/entities/by-name/template/default/kubernetes-cluster',
          )
          .set('Authorization', bob);
        return res.status === 200 ? true : undefined;
      });

      const task = await request(backend.server)
        .post('/api/scaffolder/v2/tasks')
        .set('Authorization', bob)
        .send({
          templateRef: 'template:default/kubernetes-cluster',
          values: {
            name: 'from-template',
            owner: 'group:default/payments',
            distribution: 'doks',
            region: 'fra1',
            kubernetesVersion: '1.33',
            credential: 'payments-do',
            machineType: 's-4vcpu-8gb',
            minSize: 1,
            maxSize: 3,
          },
        });
      expectStatus(task, 201);

      // Reconcile passes while the task runs: the wait step polls every 15 s.
      const finished = await eventually(
        'the scaffolder task',
        async () => {
          await backend.reconcile();
          const res = await request(backend.server)
            .get(`/api/scaffolder/v2/tasks/${task.body.id}`)
            .set('Authorization', bob);
          expectStatus(res, 200);
          return ['completed', 'failed', 'cancelled'].includes(res.body.status)
            ? res.body
            : undefined;
        },
        60_000,
        100,
      );
      if (finished.status !== 'completed') {
        const events = await request(backend.server)
          .get(`/api/scaffolder/v2/tasks/${task.body.id}/events`)
          .set('Authorization', bob);
        throw new Error(
          `task ${finished.status}: ${JSON.stringify(
            events.body.map((e: { body: unknown }) => e.body),
          )}`,
        );
      }

      const cluster = await request(backend.server)
        .get(`${BASE}/clusters/from-template`)
        .set('Authorization', bob);
      expectStatus(cluster, 200);
      expect(cluster.body).toMatchObject({
        owner: 'group:default/payments',
        distribution: 'doks',
        spec: {
          kubernetesVersion: '1.33',
          nodePools: [{ name: 'default', minSize: 1, maxSize: 3 }],
        },
        status: { phase: 'Running', kubernetesVersion: '1.33' },
      });
      // The wait step logged the phases it saw, ending with Running.
      const events = await request(backend.server)
        .get(`/api/scaffolder/v2/tasks/${task.body.id}/events`)
        .set('Authorization', bob);
      const messages = events.body.map(
        (e: { body: { message?: string } }) => e.body.message ?? '',
      );
      expect(messages.join('\n')).toContain('Cluster from-template is Running');
      expect(stringify(messages)).not.toContain(CREDENTIALS.doks.token);
    });
  });
});
