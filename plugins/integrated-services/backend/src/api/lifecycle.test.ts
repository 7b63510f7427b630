import { TestDatabases } from '@backstage/backend-test-utils';
import request from 'supertest';
import { startTestCluster, TestCluster } from '../__testUtils__/cluster';
import {
  authAs,
  PAYMENTS,
  PortalBackend,
  startPortalBackend,
  USERS,
} from '../__testUtils__/portalBackend';
import { API_VERSION, instanceObject, KIND } from '../core/instance';

jest.setTimeout(60_000);

const NS = 'pipeline-system';
const BASE = '/api/integrated-services';
const ref = (name: string) => ({
  apiVersion: API_VERSION,
  kind: KIND,
  name,
  namespace: NS,
});
const releaseRef = (name: string) => ({
  apiVersion: 'helm.toolkit.fluxcd.io/v2',
  kind: 'HelmRelease',
  name,
  namespace: NS,
});
const delay = (ms: number) => new Promise(r => setTimeout(r, ms));

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())(
  'integrated services API on %s',
  databaseId => {
    let portal: PortalBackend;
    let kube: TestCluster;
    let generation = 0;

    beforeAll(async () => {
      const knex = await databases.init(databaseId);
      portal = await startPortalBackend({ knex, clusters: [] });
    });
    afterAll(() => portal.stop());

    beforeEach(async () => {
      kube = await startTestCluster('dev');
      generation++;
      portal.clusters.clear();
      portal.clusters.set('dev', {
        name: 'dev',
        owner: PAYMENTS,
        phase: 'Running',
        kube,
        updatedAt: `2026-12-06T00:00:0${generation % 10}Z-${generation}`,
      });
    });
    afterEach(() => kube.close());

    const put = (service: string, body: object, user: string = USERS.bob) =>
      request(portal.server)
        .put(`${BASE}/clusters/dev/instances/${service}`)
        .set('Authorization', authAs(user))
        .send(body);
    const get = (path: string, user: string = USERS.bob) =>
      request(portal.server)
        .get(`${BASE}${path}`)
        .set('Authorization', authAs(user));
    const instance = (name: string) => kube.api.get(ref(name)) as any;

    /** Reconcile passes (Flux acting in between) until the instance satisfies `done`. */
    async function until(name: string, done: (i: any) => boolean) {
      for (let n = 0; n < 80; n++) {
        await portal.reconcile();
        const current = instance(name);
        if (done(current)) return current;
        await delay(15);
      }
      throw new Error(`not reached: ${JSON.stringify(instance(name)?.status)}`);
    }
    const ready = (version: string) => (i: any) =>
      i?.status?.phase === 'Ready' &&
      i.status.installedVersion === version &&
      i.status.observedGeneration === i.metadata.generation;

    it('reaches no cluster in a pass aborted before it starts (a replica stopping)', async () => {
      const stopping = new AbortController();
      stopping.abort();
      const before = kube.api.requests.count();
      await portal.reconcile(stopping.signal);
      expect(kube.api.requests.count()).toBe(before);
      await portal.reconcile();
      expect(kube.api.requests.count()).toBeGreaterThan(before);
    });

    it('refuses an invalid spec or override with 400 and the JSON pointer, writing nothing', async () => {
      const bad = await put('certs', { spec: { replicas: 0 } });
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toContain('/spec/replicas');
      const badOverride = await put('certs', {
        spec: {},
        overrides: { n: [1, 'x', { deep: Number.NaN }] },
        colour: 'blue',
      });
      expect(badOverride.status).toBe(400);
      expect(badOverride.body.error.message).toContain('/colour');
      const notObject = await put('certs', { spec: {}, overrides: 'x' });
      expect(notObject.status).toBe(400);
      expect(notObject.body.error.message).toContain('/overrides');
      expect(instance('certs')).toBeUndefined();
    });

    it('answers 404 for an unknown service, version or cluster', async () => {
      expect((await put('nope', { spec: {} })).status).toBe(404);
      expect((await put('certs', { version: '0.9.0', spec: {} })).status).toBe(
        404,
      );
      const noCluster = await request(portal.server)
        .put(`${BASE}/clusters/elsewhere/instances/certs`)
        .set('Authorization', authAs(USERS.bob))
        .send({ spec: {} });
      expect(noCluster.status).toBe(404);
      expect((await get('/services/nope')).status).toBe(404);
      expect((await get('/services/certs/plan?from=0.1.0')).status).toBe(404);
      expect(instance('certs')).toBeUndefined();
    });

    it('refuses a member of another group with 403 and writes nothing', async () => {
      const seen = kube.api.requests.list().length;
      const res = await put('certs', { spec: {} }, USERS.carol);
      expect(res.status).toBe(403);
      // Refused before the cluster was asked anything.
      expect(kube.api.requests.list().slice(seen)).toEqual([]);
      expect(instance('certs')).toBeUndefined();
      await put('certs', { version: '1.0.0', spec: {} });
      const update = await put(
        'certs',
        { version: '1.1.0', spec: {} },
        USERS.carol,
      );
      expect(update.status).toBe(403);
      const beforeDelete = kube.api.requests.list().length;
      const del = await request(portal.server)
        .delete(`${BASE}/clusters/dev/instances/certs`)
        .set('Authorization', authAs(USERS.carol));
      expect(del.status).toBe(403);
      expect(kube.api.requests.list().slice(beforeDelete)).toEqual([]);
      expect(instance('certs').spec.version).toBe('1.0.0');
      expect(instance('certs').metadata.deletionTimestamp).toBeUndefined();
    });

    it('activates, upgrades along a two-step path keeping the overrides, downgrades and deactivates', async () => {
      const services = await get('/services');
      expect(services.body.items.map((s: any) => s.name)).toEqual([
        'alerts',
        'certs',
      ]);
      const activated = await put('certs', {
        version: '1.0.0',
        spec: { replicas: 2 },
        overrides: { extraArgs: ['--v=2'] },
      });
      expect(activated.status).toBe(200);
      expect(activated.body).toMatchObject({
        managedBy: 'portal',
        desired: { version: '1.0.0', overrides: { extraArgs: ['--v=2'] } },
      });
      await until('certs', ready('1.0.0'));

      const preview = await request(portal.server)
        .post(`${BASE}/clusters/dev/instances/certs/preview`)
        .set('Authorization', authAs(USERS.bob))
        .send({
          version: '1.2.0',
          spec: { replicas: 2 },
          overrides: { extraArgs: ['--v=2'] },
        });
      expect(preview.status).toBe(200);
      expect(preview.body.plan.path).toEqual(['1.0.0', '1.1.0', '1.2.0']);
      expect(preview.body.valuesDiff).toEqual([]);

      expect(
        (
          await put('certs', {
            version: '1.2.0',
            spec: { replicas: 2 },
            overrides: { extraArgs: ['--v=2'] },
          })
        ).status,
      ).toBe(200);
      await until('certs', ready('1.2.0'));
      const release = kube.api.get(releaseRef('certs')) as any;
      expect(release.status.history.map((h: any) => h.chartVersion)).toEqual([
        'v1.15.5',
        'v1.14.7',
        'v1.13.6',
      ]);
      expect(release.spec.values.extraArgs).toEqual(['--v=2']);

      kube.api.create({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'certs-settings', namespace: 'cert-manager' },
        data: { apiVersion: 'v1' },
      });
      await put('certs', {
        version: '1.1.0',
        spec: { replicas: 2 },
        overrides: { extraArgs: ['--v=2'] },
      });
      await until('certs', ready('1.1.0'));
      const view = await get('/clusters/dev/instances/certs');
      expect(view.body.status).toMatchObject({
        phase: 'Ready',
        installedVersion: '1.1.0',
        upToDate: true,
      });
      expect(
        (kube.api.get(releaseRef('certs')) as any).spec.values.extraArgs,
      ).toEqual(['--v=2']);

      const del = await request(portal.server)
        .delete(`${BASE}/clusters/dev/instances/certs`)
        .set('Authorization', authAs(USERS.bob));
      expect(del.status).toBe(204);
      await until('certs', i => i === undefined);
      expect(kube.api.get(releaseRef('certs'))).toBeUndefined();
      expect((await get('/clusters/dev/instances/certs')).status).toBe(404);
    });

    it('stops at a failing step with the error in status and resumes once the fault is cleared', async () => {
      await put('certs', { version: '1.1.0', spec: {} });
      await until('certs', ready('1.1.0'));
      const clear = kube.flux.failUpgrade(
        { name: 'certs', chartVersion: 'v1.15.5' },
        'webhook not ready',
      );
      await put('certs', { version: '1.2.0', spec: {} });
      await until('certs', i => i?.status?.phase === 'Failed');
      const failed = await get('/clusters/dev/instances/certs');
      expect(failed.body.status.lastError.message).toContain(
        'webhook not ready',
      );
      expect(failed.body.status.installedVersion).toBe('1.1.0');
      const listed = await get('/instances?phase=Failed');
      expect(listed.body.items.map((i: any) => i.service)).toEqual(['certs']);
      clear();
      await until('certs', ready('1.2.0'));
      expect(
        (await get('/clusters/dev/instances/certs')).body.status.lastError,
      ).toBeUndefined();
    });

    it('repairs drift and reports it', async () => {
      await put('certs', { version: '1.0.0', spec: { replicas: 2 } });
      await until('certs', ready('1.0.0'));
      kube.api.patch(releaseRef('certs'), {
        spec: { values: { replicaCount: 5 } },
      });
      await portal.reconcile();
      expect(
        (kube.api.get(releaseRef('certs')) as any).spec.values.replicaCount,
      ).toBe(2);
      const drifted = await get('/instances?drift=true');
      expect(drifted.body.items).toHaveLength(1);
      expect(drifted.body.items[0].status.drift[0]).toMatchObject({
        object: 'HelmRelease certs',
        kind: 'changed',
        fields: ['spec.values.replicaCount'],
      });
      expect((await get('/instances?drift=false')).body.items).toHaveLength(0);
    });

    it('follows a ServiceInstance edited on the cluster, and leaves an external one alone until adopted', async () => {
      await put('certs', { version: '1.0.0', spec: {} });
      await until('certs', ready('1.0.0'));
      kube.api.patch(ref('certs'), {
        spec: { spec: { replicas: 3 }, overrides: { extra: 'x' } },
      });
      await until('certs', ready('1.0.0'));
      expect(
        (kube.api.get(releaseRef('certs')) as any).spec.values,
      ).toMatchObject({ replicaCount: 3, extra: 'x' });
      const view = await get('/clusters/dev/instances/certs');
      expect(view.body.desired).toMatchObject({
        spec: { replicas: 3 },
        overrides: { extra: 'x' },
      });

      const external = instanceObject(NS, { service: 'alerts' });
      delete external.metadata.labels;
      delete external.metadata.finalizers;
      kube.api.create(external as any);
      await portal.reconcile();
      const listed = await get('/clusters/dev/instances');
      expect(
        listed.body.items.map((i: any) => [i.service, i.managedBy]),
      ).toEqual([
        ['alerts', 'external'],
        ['certs', 'portal'],
      ]);
      expect(instance('alerts').status).toBeUndefined();
      const refused = await put('alerts', { spec: { slackCredential: 'x' } });
      expect(refused.status).toBe(409);
      const adopted = await put('alerts', {
        spec: { slackCredential: 'x' },
        adopt: true,
      });
      expect(adopted.status).toBe(200);
      expect(adopted.body.managedBy).toBe('portal');
    });
  },
);
