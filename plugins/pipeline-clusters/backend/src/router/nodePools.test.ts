import { TestDatabases } from '@backstage/backend-test-utils';
import {
  CREDENTIAL_KIND_OF,
  PROVISIONED_DISTRIBUTIONS,
  ProvisionedDistribution,
  TAINT_RULES,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { KubeApi } from '@pipeline-portal/testing';
import request from 'supertest';
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

type Taint = { key: string; value?: string; effect: string };

/** A spec of payments' `<d>-cloud` credential whose GPU pool is changed. */
function specOf(
  d: ProvisionedDistribution,
  name: string,
  gpu: { labels?: Record<string, string>; taints?: Taint[] },
) {
  const spec = sampleSpec(d);
  return {
    ...spec,
    name,
    credential: `${d}-cloud`,
    nodePools: spec.nodePools.map(pool =>
      pool.name === 'gpu' ? { ...pool, ...gpu } : pool,
    ),
  };
}

describe('node pool labels and taints through the REST API', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
  let management: KubeApi;

  beforeAll(async () => {
    management = await startManagementCluster();
  });
  afterAll(() => management?.close());

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    let backend: PortalBackend;
    const suffix = databaseId === 'SQLITE_3' ? 'sq' : 'pg';

    beforeAll(async () => {
      backend = await startPortalBackend({
        knex: await databases.init(databaseId),
        management,
      });
      for (const d of PROVISIONED_DISTRIBUTIONS) {
        expectStatus(
          await request(backend.server)
            .post(`${BASE}/credentials`)
            .set('Authorization', bob)
            .send({
              name: `${d}-cloud`,
              owner: 'group:default/payments',
              kind: CREDENTIAL_KIND_OF[d],
              value: CREDENTIALS[d],
            }),
          201,
        );
      }
    });
    afterAll(() => backend?.stop());

    const getCluster = (name: string) =>
      request(backend.server)
        .get(`${BASE}/clusters/${name}`)
        .set('Authorization', bob);

    /**
     * A 400 naming the field, no cluster recorded, and the management
     * cluster asked nothing, then or at the next reconcile pass.
     */
    async function expectRefused(
      send: () => request.Test,
      name: string,
      message: string,
      { reconcile = true } = {},
    ) {
      management.requests.clear();
      const res = await send();
      expectStatus(res, 400);
      expect(res.body.error.name).toBe('InputError');
      expect(res.body.error.message).toContain(message);
      expect(management.requests.count()).toBe(0);
      if (reconcile) {
        // Other clusters of the test are reconciled too: none of this one.
        await backend.reconcile();
        expect(management.requests.count(r => r.path.includes(name))).toBe(0);
      }
      expect(objectsOfCluster(management, name)).toEqual([]);
      return res;
    }

    const create = (body: object) => () =>
      request(backend.server)
        .post(`${BASE}/clusters`)
        .set('Authorization', bob)
        .send(body);

    describe.each(PROVISIONED_DISTRIBUTIONS)('%s', d => {
      const name = (what: string) => `${d}-${what}-${suffix}`;

      it.each([
        [
          'an upper-case key prefix',
          { 'Example.com/role': 'gpu' },
          `nodePools[1].labels["Example.com/role"]: key prefix (before '/') must be a DNS subdomain`,
        ],
        [
          'a key name over 63 characters',
          { ['k'.repeat(64)]: 'gpu' },
          `nodePools[1].labels.${'k'.repeat(
            64,
          )}: key name must be at most 63 characters`,
        ],
        [
          'two slashes in a key',
          { 'a/b/c': 'gpu' },
          `nodePools[1].labels["a/b/c"]: key must contain at most one '/'`,
        ],
        [
          'a value over 63 characters',
          { role: 'v'.repeat(64) },
          'nodePools[1].labels.role: must be at most 63 characters',
        ],
        [
          'a value ending in -',
          { role: 'gpu-' },
          'nodePools[1].labels.role: must consist of letters, digits',
        ],
      ])('refuses a label with %s', async (_what, labels, message) => {
        const res = await expectRefused(
          create(specOf(d, name('label'), { labels })),
          name('label'),
          message,
        );
        expect(res.body.error.message).toMatch(/^invalid cluster spec: /);
      });

      it.each([
        [
          'a 254 character key prefix',
          { key: `${'p'.repeat(254)}/gpu`, effect: 'NoSchedule' },
          "nodePools[1].taints[0].key: prefix (before '/') must be at most 253 characters",
        ],
        [
          'a key over 317 characters',
          {
            key: `${'p.'.repeat(126)}pq/${'n'.repeat(63)}`,
            effect: 'NoSchedule',
          },
          'nodePools[1].taints[0].key: must be at most 317 characters',
        ],
        [
          'an empty key name',
          { key: 'example.com/', effect: 'NoSchedule' },
          "nodePools[1].taints[0].key: name (after '/') must not be empty",
        ],
        [
          'a value with a space',
          { key: 'gpu', value: 'a b', effect: 'NoSchedule' },
          'nodePools[1].taints[0].value: must consist of letters, digits',
        ],
        [
          'an unknown effect',
          { key: 'gpu', value: 'a', effect: 'NoWay' },
          'nodePools[1].taints[0].effect',
        ],
      ])('refuses a taint with %s', async (_what, taint, message) => {
        const res = await expectRefused(
          create(specOf(d, name('taint'), { taints: [taint] })),
          name('taint'),
          message,
        );
        expect(res.body.error.message).toMatch(/^invalid cluster spec: /);
      });

      const emptyValue: Taint[] = [
        { key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' },
        { key: 'dedicated', value: '', effect: 'NoExecute' },
      ];

      if (TAINT_RULES[d].nonEmptyValue) {
        it('refuses an empty taint value, which its engine CRD refuses', async () => {
          const res = await expectRefused(
            create(specOf(d, name('empty'), { taints: emptyValue })),
            name('empty'),
            `invalid cluster spec: nodePools[1].taints[1].value: must not be empty on ${d} (${TAINT_RULES[d].field} refuses an empty value)`,
          );
          // One field at fault: the other taint, with a value, is fine.
          expect(res.body.error.message.split('; ')).toHaveLength(1);
        });

        it('refuses the same in a change of node pools, changing nothing', async () => {
          const valid = specOf(d, name('change'), {
            taints: [{ key: 'dedicated', effect: 'NoExecute' }],
          });
          const created = await create(valid)();
          expectStatus(created, 201);
          await expectRefused(
            () =>
              request(backend.server)
                .patch(`${BASE}/clusters/${name('change')}`)
                .set('Authorization', bob)
                .send({
                  revision: created.body.revision,
                  nodePools: specOf(d, name('change'), { taints: emptyValue })
                    .nodePools,
                }),
            name('change'),
            `nodePools[1].taints[1].value: must not be empty on ${d}`,
            // Created, not reconciled: the management cluster has nothing yet.
            { reconcile: false },
          );
          const after = await getCluster(name('change'));
          expect(after.body.revision).toBe(created.body.revision);
          expect(after.body.spec.nodePools[1].taints).toEqual([
            { key: 'dedicated', effect: 'NoExecute' },
          ]);
        });
      } else {
        it('writes an empty taint value, which its engine CRD accepts, without an Error', async () => {
          expectStatus(
            await create(specOf(d, name('empty'), { taints: emptyValue }))(),
            201,
          );
          await backend.reconcile();
          const res = await getCluster(name('empty'));
          expectStatus(res, 200);
          expect(res.body.status.phase).toBe('Provisioning');
          expect(objectsOfCluster(management, name('empty'))).not.toEqual([]);
        });
      }
    });

    it('answers a hostile key of 300 000 characters at once, with a 400', async () => {
      const started = Date.now();
      const hostile = `${'a-'.repeat(75_000)}a.${'b'.repeat(140_000)}-/x`;
      const res = await create(
        specOf('eks', `hostile-${suffix}`, { labels: { [hostile]: 'x' } }),
      )();
      expectStatus(res, 400);
      expect(res.body.error.message).toContain(
        'key must be at most 317 characters',
      );
      // The message quotes at most 80 characters of the key.
      expect(res.text.length).toBeLessThan(2_000);
      expect(Date.now() - started).toBeLessThan(2_000);
    });
  });
});
