import { TestDatabases } from '@backstage/backend-test-utils';
import {
  CREDENTIAL_KIND_OF,
  PROVISIONED_DISTRIBUTIONS,
  ProvisionedDistribution,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { KubeApi } from '@pipeline-portal/testing';
import request from 'supertest';
import { playEngines } from '../__testUtils__/engines';
import { startManagementCluster } from '../__testUtils__/fixtures';
import {
  authAs,
  expectStatus,
  objectsOfCluster,
  PortalBackend,
  startPortalBackend,
  USERS,
} from '../__testUtils__/portalBackend';
import {
  CREDENTIALS,
  sampleSpec,
} from '../distributions/__testUtils__/harness';

jest.setTimeout(120_000);

const BASE = '/api/pipeline-clusters';
const bob = authAs(USERS.bob);
const carol = authAs(USERS.carol);

/** Phases in order, consecutive repeats (message changes) folded. */
const phasesOf = (items: Array<{ phase: string }>) =>
  items
    .map(i => i.phase)
    .filter((phase, i, all) => i === 0 || all[i - 1] !== phase);

describe('cluster lifecycle through the REST API', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
  let api: KubeApi;
  let stopEngines: () => void;

  beforeAll(async () => {
    api = await startManagementCluster();
    stopEngines = playEngines(api, { readyAfterMs: 5 });
  });
  afterAll(async () => {
    stopEngines?.();
    await api?.close();
  });

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    let backend: PortalBackend;

    beforeAll(async () => {
      backend = await startPortalBackend({
        knex: await databases.init(databaseId),
        management: api,
        // Only the rate limit is lifted: resync and back-off keep their
        // production defaults, so a change must be picked up without them.
        config: {
          pipelinePortal: {
            clusters: { reconcile: { requestsPerSecondPerCluster: 1000 } },
          },
        },
      });
    });
    afterAll(() => backend?.stop());

    const get = (name: string) =>
      request(backend.server)
        .get(`${BASE}/clusters/${name}`)
        .set('Authorization', bob);

    /** Runs reconcile passes until GET shows the phase (or 404 for 'gone'). */
    async function passUntil(name: string, phase: string, withinMs = 45_000) {
      let last: request.Response | undefined;
      for (const end = Date.now() + withinMs; Date.now() < end; ) {
        await backend.reconcile();
        last = await get(name);
        if (
          phase === 'gone'
            ? last.status === 404
            : last.body.status?.phase === phase
        ) {
          return last;
        }
        await new Promise(r => setTimeout(r, 15));
      }
      throw new Error(
        `cluster ${name} never reached ${phase}: ${
          last?.status
        } ${JSON.stringify(last?.body)}`,
      );
    }

    it.each(PROVISIONED_DISTRIBUTIONS.map(d => [d]))(
      'creates, scales, upgrades and deletes a %s cluster',
      async (distribution: ProvisionedDistribution) => {
        const name = `${distribution}-${
          databaseId === 'SQLITE_3' ? 'sq' : 'pg'
        }`;
        const credential = `${distribution}-cloud`;
        const spec = { ...sampleSpec(distribution), name, credential };

        // The cloud credential: stored, never answered back.
        const cred = await request(backend.server)
          .post(`${BASE}/credentials`)
          .set('Authorization', bob)
          .send({
            name: credential,
            owner: spec.owner,
            kind: CREDENTIAL_KIND_OF[distribution],
            value: CREDENTIALS[distribution],
          });
        expectStatus(cred, 201);
        expect(cred.body).toEqual({
          name: credential,
          owner: 'group:default/payments',
          kind: CREDENTIAL_KIND_OF[distribution],
          createdAt: expect.any(String),
        });
        for (const value of Object.values(CREDENTIALS[distribution])) {
          expect(cred.text).not.toContain(value);
        }

        // Create, and the same request again: the same cluster.
        const created = await request(backend.server)
          .post(`${BASE}/clusters`)
          .set('Authorization', bob)
          .send(spec);
        expectStatus(created, 201);
        expect(created.body).toMatchObject({
          name,
          owner: 'group:default/payments',
          distribution,
          status: { phase: 'Pending' },
        });
        const again = await request(backend.server)
          .post(`${BASE}/clusters`)
          .set('Authorization', bob)
          .send(spec);
        expectStatus(again, 200);
        expect(again.body).toEqual(created.body);
        const list = await request(backend.server)
          .get(`${BASE}/clusters`)
          .query({ limit: 500 })
          .set('Authorization', bob);
        expectStatus(list, 200);
        expect(
          list.body.items.filter((c: { name: string }) => c.name === name),
        ).toHaveLength(1);

        const running = await passUntil(name, 'Running');
        expect(running.body.status).toMatchObject({
          phase: 'Running',
          kubernetesVersion: '1.32',
          apiServer: api.url,
        });
        expect(objectsOfCluster(api, name).length).toBeGreaterThan(0);

        // Scale the general pool.
        const scaled = await request(backend.server)
          .patch(`${BASE}/clusters/${name}`)
          .set('Authorization', bob)
          .send({
            revision: running.body.revision,
            nodePools: spec.nodePools.map(p =>
              p.name === 'general' ? { ...p, maxSize: 8, desiredSize: 5 } : p,
            ),
          });
        expectStatus(scaled, 200);
        expect(scaled.body.status.phase).toBe('Updating');
        expect(scaled.body.revision).toBe(running.body.revision + 1);
        const afterScale = await passUntil(name, 'Running');
        expect(afterScale.body.spec.nodePools[0]).toMatchObject({
          name: 'general',
          maxSize: 8,
          desiredSize: 5,
        });

        // Upgrade the control plane.
        const upgraded = await request(backend.server)
          .patch(`${BASE}/clusters/${name}`)
          .set('Authorization', bob)
          .send({
            revision: afterScale.body.revision,
            kubernetesVersion: '1.33',
          });
        expectStatus(upgraded, 200);
        expect(upgraded.body.status.phase).toBe('Updating');
        expect(upgraded.body.spec.kubernetesVersion).toBe('1.33');
        const afterUpgrade = await passUntil(name, 'Running');
        expect(afterUpgrade.body.status.kubernetesVersion).toBe('1.33');

        // Remove the gpu pool: its engine objects go, the general pool's stay
        // (DigitalOcean keeps its pools inside the cluster object).
        const footprint = (pool: string): string[] =>
          distribution === 'doks'
            ? api
                .list(
                  'kubernetes.do.crossplane.io/v1alpha1',
                  'DOKubernetesCluster',
                )
                .filter(
                  o =>
                    o.metadata?.labels?.['pipeline-portal.io/cluster'] === name,
                )
                .flatMap((o: any) => o.spec.forProvider.nodePools)
                .map((p: { name: string }) => p.name)
                .filter(n => n.includes(pool))
            : objectsOfCluster(api, name).filter(o => o.includes(`-${pool}`));
        expect(footprint('gpu').length).toBeGreaterThan(0);
        const general = footprint('general');
        expect(general.length).toBeGreaterThan(0);
        const removed = await request(backend.server)
          .patch(`${BASE}/clusters/${name}`)
          .set('Authorization', bob)
          .send({
            revision: afterUpgrade.body.revision,
            nodePools: afterUpgrade.body.spec.nodePools.filter(
              (p: { name: string }) => p.name !== 'gpu',
            ),
          });
        expectStatus(removed, 200);
        await passUntil(name, 'Running');
        expect(footprint('gpu')).toEqual([]);
        expect(footprint('general')).toEqual(general);

        const history = await request(backend.server)
          .get(`${BASE}/clusters/${name}/history`)
          .set('Authorization', bob);
        expectStatus(history, 200);
        expect(phasesOf(history.body.items)).toEqual([
          'Pending',
          'Provisioning',
          'Running',
          'Updating',
          'Running',
          'Updating',
          'Running',
          'Updating',
          'Running',
        ]);

        // The kubeconfig: for the owners only.
        const kubeconfig = await request(backend.server)
          .get(`${BASE}/clusters/${name}/kubeconfig`)
          .set('Authorization', bob);
        expectStatus(kubeconfig, 200);
        expect(kubeconfig.headers['content-type']).toMatch(
          /^application\/yaml/,
        );
        expect(kubeconfig.headers['cache-control']).toBe('no-store');
        expect(kubeconfig.text).toContain(`server: ${api.url}`);
        const stranger = await request(backend.server)
          .get(`${BASE}/clusters/${name}/kubeconfig`)
          .set('Authorization', carol);
        expectStatus(stranger, 403);
        expect(stranger.text).not.toContain(api.url);

        // Delete.
        const deleted = await request(backend.server)
          .delete(`${BASE}/clusters/${name}`)
          .set('Authorization', bob);
        expectStatus(deleted, 202);
        expect(deleted.body.status.phase).toBe('Deleting');
        const gone = await passUntil(name, 'gone');
        expect(gone.body.error.name).toBe('NotFoundError');
        expect(objectsOfCluster(api, name)).toEqual([]);
        const after = await request(backend.server)
          .get(`${BASE}/clusters`)
          .query({ limit: 500 })
          .set('Authorization', bob);
        expect(
          after.body.items.map((c: { name: string }) => c.name),
        ).not.toContain(name);
      },
    );
  });
});
