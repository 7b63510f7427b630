import { TestDatabases } from '@backstage/backend-test-utils';
import { KubeApi, startKubeApi } from '@pipeline-portal/testing';
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
import { CREDENTIALS } from '../distributions/__testUtils__/harness';

jest.setTimeout(120_000);

const BASE = '/api/pipeline-clusters';
const bob = authAs(USERS.bob);
const carol = authAs(USERS.carol);
const alice = authAs(USERS.alice);
const PAYMENTS = 'group:default/payments';

/** The kubeconfig the portal keeps for the imported cluster `apps`. */
const MANAGED = 'cluster-apps-kubeconfig';

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

describe('DELETE /credentials/{name}: cloud credentials only', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    let backend: PortalBackend;
    let workload: KubeApi;
    let knex: Knex;

    beforeAll(async () => {
      workload = await startKubeApi();
      knex = await databases.init(databaseId);
      backend = await startPortalBackend({
        knex,
        config: {
          pipelinePortal: {
            clusters: { import: { allowedCidrs: ['127.0.0.0/8'] } },
          },
        },
      });
      expectStatus(
        await request(backend.server)
          .post(`${BASE}/clusters/import`)
          .set('Authorization', bob)
          .send({
            name: 'apps',
            owner: PAYMENTS,
            kubeconfig: kubeconfigFor(workload),
          }),
        201,
      );
    });
    afterAll(async () => {
      await backend?.stop();
      await workload?.close();
    });

    /** DELETE with a path and query written as given (no re-encoding). */
    const remove = (rawName: string, rawOwner: string, as = bob) =>
      request(backend.server)
        .delete(`${BASE}/credentials/${rawName}?owner=${rawOwner}`)
        .set('Authorization', as);

    const secretRows = () =>
      knex('secrets')
        .orderBy(['owner', 'name'])
        .select('owner', 'name', 'kind');

    /** The managed kubeconfig is still stored and still serves the cluster. */
    async function expectKubeconfigKept() {
      expect(await secretRows()).toContainEqual({
        owner: PAYMENTS,
        name: MANAGED,
        kind: 'kubeconfig',
      });
      const res = await request(backend.server)
        .get(`${BASE}/clusters/apps/kubeconfig`)
        .set('Authorization', bob);
      expectStatus(res, 200);
      expect(res.text).toContain(workload.url);
    }

    it.each([
      ['the full owner ref', encodeURIComponent(PAYMENTS)],
      ['the short owner', 'payments'],
      ['a group: ref without namespace', 'group%3Apayments'],
      ['an upper-case owner', 'GROUP%3ADefault%2FPayments'],
    ])(
      'refuses with 409 the kubeconfig of a cluster, named with %s',
      async (_what, owner) => {
        const before = await secretRows();
        const res = await remove(MANAGED, owner);
        expectStatus(res, 409);
        expect(res.body.error.name).toBe('ConflictError');
        expect(res.body.error.message).toBe(
          `"${MANAGED}" of ${PAYMENTS} is not a cloud credential but a secret the portal manages for a cluster (its kubeconfig): it is removed with the cluster, never through /credentials`,
        );
        expect(await secretRows()).toEqual(before);
        await expectKubeconfigKept();
      },
    );

    it('refuses an owner with unencoded ":" and "/" as bad input', async () => {
      const before = await secretRows();
      const res = await remove(MANAGED, PAYMENTS);
      expectStatus(res, 400);
      expect(res.body.error.message).toContain("Parameter 'owner'");
      expect(await secretRows()).toEqual(before);
      await expectKubeconfigKept();
    });

    it('refuses it to an admin too', async () => {
      const res = await remove(MANAGED, encodeURIComponent(PAYMENTS), alice);
      expectStatus(res, 409);
      expect(res.body.error.name).toBe('ConflictError');
      await expectKubeconfigKept();
    });

    it('refuses it with 403 to another team, before looking', async () => {
      const res = await remove(MANAGED, encodeURIComponent(PAYMENTS), carol);
      expectStatus(res, 403);
      expect(res.body.error.message).toBe(
        `not allowed to act for ${PAYMENTS}: you are not a member of it`,
      );
      await expectKubeconfigKept();
    });

    it.each([
      [
        'an escaped first letter',
        '%63luster-apps-kubeconfig',
        409,
        /^"cluster-apps-kubeconfig" of group:default\/payments is not a cloud credential/,
      ],
      [
        'upper case',
        'Cluster-Apps-Kubeconfig',
        400,
        /^invalid credential name in path: |name/,
      ],
      ['an encoded slash', 'cluster-apps%2Fkubeconfig', 400, /name/],
      ['a trailing encoded slash', `${MANAGED}%2F`, 400, /name/],
      ['a double-encoded slash', `${MANAGED}%252F`, 400, /name/],
      ['an encoded dot segment', `${MANAGED}%2F..`, 400, /name/],
      ['a trailing space', `${MANAGED}%20`, 400, /name/],
      ['a null byte', `${MANAGED}%00`, 400, /name/],
    ])(
      'never deletes it under a name variant: %s',
      async (_what, name, status, message) => {
        const before = await secretRows();
        const res = await remove(name, encodeURIComponent(PAYMENTS));
        expectStatus(res, status);
        expect(res.body.error.message).toMatch(message);
        expect(await secretRows()).toEqual(before);
        await expectKubeconfigKept();
      },
    );

    it('refuses to create a credential under a name kept for kubeconfigs', async () => {
      for (const name of [MANAGED, 'cluster-future-kubeconfig']) {
        const before = await secretRows();
        const res = await request(backend.server)
          .post(`${BASE}/credentials`)
          .set('Authorization', bob)
          .send({ name, owner: PAYMENTS, kind: 'aws', value: CREDENTIALS.eks });
        expectStatus(res, 400);
        expect(res.body.error.message).toBe(
          `name: "${name}" is reserved: the portal keeps cluster kubeconfigs under cluster-<cluster>-kubeconfig`,
        );
        expect(await secretRows()).toEqual(before);
      }
      await expectKubeconfigKept();
    });

    it('deletes a cloud credential, then answers 404', async () => {
      expectStatus(
        await request(backend.server)
          .post(`${BASE}/credentials`)
          .set('Authorization', bob)
          .send({
            name: 'cluster-aws',
            owner: PAYMENTS,
            kind: 'aws',
            value: CREDENTIALS.eks,
          }),
        201,
      );
      expectStatus(await remove('cluster-aws', 'payments'), 204);
      const again = await remove('cluster-aws', 'payments');
      expectStatus(again, 404);
      expect(again.body.error.message).toBe(
        `credential "cluster-aws" of ${PAYMENTS} not found`,
      );
      await expectKubeconfigKept();
    });

    it('answers 404 for a kubeconfig name of another owner, deleting nothing', async () => {
      const before = await secretRows();
      const res = await remove(MANAGED, 'platform', alice);
      expectStatus(res, 404);
      expect(await secretRows()).toEqual(before);
    });
  });
});
