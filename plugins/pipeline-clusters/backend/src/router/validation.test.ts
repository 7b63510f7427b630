import { TestDatabases } from '@backstage/backend-test-utils';
import { KubeApi, KYVERNO_CRDS } from '@pipeline-portal/testing';
import { Knex } from 'knex';
import request from 'supertest';
import { stringify } from 'yaml';
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
const alice = authAs(USERS.alice);
const delay = (ms: number) => new Promise(r => setTimeout(r, ms));

/** A valid eks spec for payments, using its `payments-aws` credential. */
const validSpec = (name: string) => ({
  ...sampleSpec('eks'),
  name,
  credential: 'payments-aws',
});

/** A kubeconfig for a double, with changes to its cluster and user. */
function kubeconfigFor(
  api: KubeApi,
  changes: { cluster?: object; user?: object } = {},
): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'target',
        cluster: {
          server: api.url,
          'certificate-authority-data': api.caData,
          ...changes.cluster,
        },
      },
    ],
    users: [{ name: 'portal', user: { token: api.token, ...changes.user } }],
    contexts: [
      { name: 'target', context: { cluster: 'target', user: 'portal' } },
    ],
    'current-context': 'target',
  });
}

const INVALID_CREDENTIALS: Array<{
  kind: string;
  field: string;
  value: Record<string, string>;
  secret: string;
}> = [
  {
    kind: 'aws',
    field: 'value.accessKeyId',
    value: { ...CREDENTIALS.eks, accessKeyId: 'not-an-akid-Zq9secret' },
    secret: 'not-an-akid-Zq9secret',
  },
  {
    kind: 'aws',
    field: 'value.secretAccessKey',
    value: { ...CREDENTIALS.eks, secretAccessKey: 'tooShortZq9secret' },
    secret: 'tooShortZq9secret',
  },
  {
    kind: 'azure',
    field: 'value.tenantId',
    value: { ...CREDENTIALS.aks, tenantId: 'tenant-Zq9secret' },
    secret: 'tenant-Zq9secret',
  },
  {
    kind: 'azure',
    field: 'value.clientSecret',
    value: { ...CREDENTIALS.aks, clientSecret: '   ' },
    secret: CREDENTIALS.aks.tenantId,
  },
  {
    kind: 'google',
    field: 'value.serviceAccountKey',
    value: {
      serviceAccountKey: JSON.stringify({
        type: 'authorized_user',
        private_key: 'pk-Zq9secret',
      }),
    },
    secret: 'pk-Zq9secret',
  },
  {
    kind: 'alibaba',
    field: 'value.accessKeySecret',
    value: { accessKeyId: 'LTAI5tZq9secretId', accessKeySecret: '' },
    secret: 'LTAI5tZq9secretId',
  },
  {
    kind: 'oracle',
    field: 'value.privateKey',
    value: { ...CREDENTIALS.oke, privateKey: 'not-a-pem-Zq9secret' },
    secret: 'not-a-pem-Zq9secret',
  },
  {
    kind: 'oracle',
    field: 'value.fingerprint',
    value: { ...CREDENTIALS.oke, fingerprint: 'fp-Zq9secret' },
    secret: 'fp-Zq9secret',
  },
  {
    kind: 'digitalocean',
    field: 'value.token',
    value: { token: 'dop_Zq9secret' },
    secret: 'dop_Zq9secret',
  },
];

describe('validation and authorization through the REST API', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
  let api: KubeApi;
  let stopEngines: () => void;

  beforeAll(async () => {
    api = await startManagementCluster(['eks']);
    // The workload clusters are the double too: team namespaces need Kyverno.
    for (const crd of KYVERNO_CRDS) api.registerCrd(api.readCrd(crd));
    stopEngines = playEngines(api, { readyAfterMs: 5 });
  });
  afterAll(async () => {
    stopEngines?.();
    await api?.close();
  });

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    let backend: PortalBackend;
    let knex: Knex;
    const suffix = databaseId === 'SQLITE_3' ? 'sq' : 'pg';

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      backend = await startPortalBackend({
        knex,
        management: api,
        config: {
          pipelinePortal: {
            clusters: { reconcile: { requestsPerSecondPerCluster: 1000 } },
          },
        },
      });
      for (const [name, kind, value] of [
        ['payments-aws', 'aws', CREDENTIALS.eks],
        ['payments-azure', 'azure', CREDENTIALS.aks],
      ] as const) {
        expectStatus(
          await request(backend.server)
            .post(`${BASE}/credentials`)
            .set('Authorization', bob)
            .send({ name, owner: 'group:default/payments', kind, value }),
          201,
        );
      }
    });
    afterAll(() => backend?.stop());

    const post = (path: string, body: unknown, as = bob) =>
      request(backend.server)
        .post(`${BASE}${path}`)
        .set('Authorization', as)
        .send(body as object);

    const clusterCount = async () => {
      const res = await request(backend.server)
        .get(`${BASE}/clusters`)
        .set('Authorization', alice);
      expectStatus(res, 200);
      return res.body.totalCount as number;
    };

    const kubeconfigRows = async () =>
      Number(
        (
          await knex('secrets').where({ kind: 'kubeconfig' }).count({ n: '*' })
        )[0].n,
      );

    /** A 400 naming the field; no cluster, object or kubeconfig written. */
    async function expectRefused(
      path: string,
      body: Record<string, unknown>,
      field: string,
    ) {
      const before = await clusterCount();
      const res = await post(path, body);
      expectStatus(res, 400);
      expect(res.body.error.name).toBe('InputError');
      expect(res.body.error.message).toContain(field);
      expect(await clusterCount()).toBe(before);
      expect(await kubeconfigRows()).toBe(0);
      if (typeof body.name === 'string') {
        expect(objectsOfCluster(api, body.name)).toEqual([]);
      }
      return res;
    }

    it.each([
      ['an upper-case name', { name: 'Bad_Name' }, 'name: must be an RFC 1123'],
      ['a name over 40 characters', { name: 'a'.repeat(41) }, 'name:'],
      ['a reserved name', { name: 'credentials' }, 'name: is reserved'],
      [
        'an unknown distribution',
        { distribution: 'openshift' },
        'distribution:',
      ],
      [
        'a version not offered',
        { kubernetesVersion: '1.20' },
        'kubernetesVersion: 1.20 is not offered',
      ],
      ['an unknown field', { flavour: 'large' }, 'flavour'],
      ['a bad owner', { owner: 'Not An Owner!' }, 'owner:'],
      ['a missing credential', { credential: 'nope' }, 'credential:'],
      [
        'a credential of the wrong kind',
        { credential: 'payments-azure' },
        'credential: "payments-azure" is a azure credential; eks needs aws',
      ],
    ])('refuses %s', async (_what, change, field) => {
      const res = await expectRefused(
        '/clusters',
        { ...validSpec(`refused-${suffix}`), ...change },
        field,
      );
      expect(res.body.error.message).toMatch(/^invalid cluster spec: |^\w+: /);
    });

    it.each([
      [
        'minSize above maxSize',
        [{ ...sampleSpec('eks').nodePools[0], minSize: 7, maxSize: 6 }],
        'nodePools[0].minSize',
      ],
      [
        'desiredSize outside min..max',
        [{ ...sampleSpec('eks').nodePools[0], desiredSize: 9 }],
        'nodePools[0].desiredSize',
      ],
      [
        'duplicate pool names',
        [
          sampleSpec('eks').nodePools[0],
          { ...sampleSpec('eks').nodePools[1], name: 'general' },
        ],
        'nodePools[1].name: duplicate node pool name "general"',
      ],
      [
        'two taints of the same key and effect',
        [
          {
            ...sampleSpec('eks').nodePools[0],
            taints: [
              { key: 'dedicated', value: 'a', effect: 'NoSchedule' },
              { key: 'dedicated', value: 'b', effect: 'NoExecute' },
              { key: 'dedicated', value: 'c', effect: 'NoSchedule' },
            ],
          },
        ],
        'nodePools[0].taints[2]: duplicate taint dedicated with effect NoSchedule',
      ],
    ])('refuses node pools with %s', async (_what, nodePools, field) => {
      const res = await expectRefused(
        '/clusters',
        { ...validSpec(`pools-${suffix}`), nodePools },
        field,
      );
      expect(res.body.error.message).toMatch(/^invalid cluster spec: /);
    });

    it.each(INVALID_CREDENTIALS.map(c => [c.field, c.kind, c]))(
      'refuses credential %s of kind %s without echoing it',
      async (_field, _kind, { kind, field, value, secret }) => {
        const res = await post('/credentials', {
          name: 'broken',
          owner: 'group:default/payments',
          kind,
          value,
        });
        expectStatus(res, 400);
        expect(res.body.error.message).toContain(field);
        expect(res.text).not.toContain(secret);
        const echoed = Object.values(value).filter(
          v => v.trim().length >= 6 && res.text.includes(v),
        );
        expect(echoed).toEqual([]);
        const list = await request(backend.server)
          .get(`${BASE}/credentials`)
          .set('Authorization', bob);
        expect(list.body.items.map((c: { name: string }) => c.name)).toEqual(
          expect.not.arrayContaining(['broken']),
        );
      },
    );

    it.each([
      [
        'an exec plugin',
        {
          user: {
            exec: {
              command: 'sh',
              apiVersion: 'client.authentication.k8s.io/v1',
            },
          },
        },
        'users[0].user.exec: exec credential plugins are not allowed',
      ],
      [
        'an auth-provider',
        { user: { 'auth-provider': { name: 'gcp' } } },
        'users[0].user.auth-provider',
      ],
      [
        'a tokenFile path',
        { user: { tokenFile: '/var/run/secrets/token' } },
        'users[0].user.tokenFile: file paths are not allowed',
      ],
      [
        'a client-certificate path',
        { user: { 'client-certificate': '/etc/ssl/client.crt' } },
        'users[0].user.client-certificate: file paths are not allowed',
      ],
      [
        'insecure-skip-tls-verify',
        { cluster: { 'insecure-skip-tls-verify': true } },
        'clusters[0].cluster.insecure-skip-tls-verify',
      ],
      [
        'an http server',
        { cluster: { server: 'http://203.0.113.10:6443' } },
        'clusters[0].cluster.server: must be an https:// URL',
      ],
      [
        'a loopback API server (not allowed here)',
        {},
        'clusters[0].cluster.server: 127.0.0.1 is a loopback address',
      ],
    ])('refuses an import with %s', async (_what, changes, field) => {
      const res = await expectRefused(
        '/clusters/import',
        {
          name: `imported-${suffix}`,
          owner: 'group:default/payments',
          kubeconfig: kubeconfigFor(api, changes),
        },
        field,
      );
      expect(res.text).not.toContain(api.token);
    });

    describe('on a cluster of payments', () => {
      const name = `owned-${suffix}`;
      let revision: number;

      beforeAll(async () => {
        expectStatus(await post('/clusters', validSpec(name)), 201);
        for (const end = Date.now() + 45_000; Date.now() < end; ) {
          await backend.reconcile();
          const res = await request(backend.server)
            .get(`${BASE}/clusters/${name}`)
            .set('Authorization', bob);
          revision = res.body.revision;
          if (res.body.status.phase === 'Running') return;
          await delay(15);
        }
        throw new Error(`${name} never ran`);
      });

      const scale = (as: string, rev: number) =>
        request(backend.server)
          .patch(`${BASE}/clusters/${name}`)
          .set('Authorization', as)
          .send({
            revision: rev,
            nodePools: [{ ...sampleSpec('eks').nodePools[0], desiredSize: 4 }],
          });

      it('refuses another group member everything but reading', async () => {
        const read = await request(backend.server)
          .get(`${BASE}/clusters/${name}`)
          .set('Authorization', carol);
        expectStatus(read, 200);
        expectStatus(await scale(carol, revision), 403);
        expectStatus(
          await request(backend.server)
            .delete(`${BASE}/clusters/${name}`)
            .set('Authorization', carol),
          403,
        );
        expectStatus(
          await request(backend.server)
            .get(`${BASE}/clusters/${name}/kubeconfig`)
            .set('Authorization', carol),
          403,
        );
        expectStatus(
          await post(
            `/clusters/${name}/namespaces`,
            { namespace: 'marketing', team: 'group:default/marketing' },
            carol,
          ),
          403,
        );
        // Nor may they act for payments.
        const create = await post(
          '/clusters',
          validSpec(`carol-${suffix}`),
          carol,
        );
        expectStatus(create, 403);
        expect(create.body.error.message).toContain(
          'not allowed to act for group:default/payments',
        );
        expectStatus(
          await post(
            '/credentials',
            {
              name: 'carol-aws',
              owner: 'group:default/payments',
              kind: 'aws',
              value: CREDENTIALS.eks,
            },
            carol,
          ),
          403,
        );
        const after = await request(backend.server)
          .get(`${BASE}/clusters/${name}`)
          .set('Authorization', bob);
        expect(after.body.revision).toBe(revision);
        expect(after.body.status.phase).toBe('Running');
        expect(objectsOfCluster(api, `carol-${suffix}`)).toEqual([]);
      });

      it('answers 409 to a change based on a stale revision', async () => {
        const res = await scale(bob, revision - 1);
        expectStatus(res, 409);
        expect(res.body.error.message).toContain('changed meanwhile');
      });

      it('lets the owners create a team namespace on it', async () => {
        const res = await post(`/clusters/${name}/namespaces`, {
          namespace: `payments-${suffix}`,
          team: 'group:default/payments',
        });
        expectStatus(res, 201);
        expect(res.body.namespace).toBe(`payments-${suffix}`);
        expect(
          api.get({
            apiVersion: 'v1',
            kind: 'Namespace',
            name: `payments-${suffix}`,
          }),
        ).toBeDefined();
        expect(
          api.list('v1', 'ResourceQuota', { namespace: `payments-${suffix}` }),
        ).toHaveLength(1);
      });

      it('lets an admin act on any group', async () => {
        expectStatus(
          await post(
            '/credentials',
            {
              name: 'marketing-aws',
              owner: 'group:default/marketing',
              kind: 'aws',
              value: CREDENTIALS.eks,
            },
            alice,
          ),
          201,
        );
        expectStatus(
          await request(backend.server)
            .get(`${BASE}/clusters/${name}/kubeconfig`)
            .set('Authorization', alice),
          200,
        );
        const scaled = await scale(alice, revision);
        expectStatus(scaled, 200);
        expect(scaled.body.status.phase).toBe('Updating');
        expectStatus(
          await request(backend.server)
            .delete(`${BASE}/clusters/${name}`)
            .set('Authorization', alice),
          202,
        );
        for (const end = Date.now() + 45_000; Date.now() < end; ) {
          await backend.reconcile();
          const res = await request(backend.server)
            .get(`${BASE}/clusters/${name}`)
            .set('Authorization', alice);
          if (res.status === 404) break;
          await delay(15);
        }
        expect(objectsOfCluster(api, name)).toEqual([]);
      });
    });
  });

  describe('without a management cluster, loopback imports allowed', () => {
    let backend: PortalBackend;
    let target: KubeApi;

    beforeAll(async () => {
      backend = await startPortalBackend({
        knex: await databases.init('SQLITE_3'),
        config: {
          pipelinePortal: {
            clusters: { import: { allowedCidrs: ['127.0.0.0/8'] } },
          },
        },
      });
      target = api;
    });
    afterAll(() => backend?.stop());

    it('says provisioning is unavailable, and why', async () => {
      const res = await request(backend.server)
        .get(`${BASE}/settings`)
        .set('Authorization', bob);
      expectStatus(res, 200);
      expect(res.body.provisioning).toEqual({
        available: false,
        message: expect.stringContaining(
          'No management cluster is configured (pipelinePortal.clusters.management)',
        ),
      });
    });

    it('answers 503 to a create, writing nothing', async () => {
      expectStatus(
        await request(backend.server)
          .post(`${BASE}/credentials`)
          .set('Authorization', bob)
          .send({
            name: 'payments-aws',
            owner: 'group:default/payments',
            kind: 'aws',
            value: CREDENTIALS.eks,
          }),
        201,
      );
      const res = await request(backend.server)
        .post(`${BASE}/clusters`)
        .set('Authorization', bob)
        .send(validSpec('nomgmt'));
      expectStatus(res, 503);
      expect(res.body.error.message).toContain(
        'No management cluster is configured (pipelinePortal.clusters.management): the portal can import clusters but not provision them',
      );
      const list = await request(backend.server)
        .get(`${BASE}/clusters`)
        .set('Authorization', bob);
      expect(list.body.totalCount).toBe(0);
    });

    it('still imports a cluster, in a range an admin allowed', async () => {
      const res = await request(backend.server)
        .post(`${BASE}/clusters/import`)
        .set('Authorization', bob)
        .send({
          name: 'onprem',
          owner: 'group:default/payments',
          kubeconfig: kubeconfigFor(target),
        });
      expectStatus(res, 201);
      expect(res.body).toMatchObject({
        name: 'onprem',
        distribution: 'import',
        status: {
          phase: 'Running',
          apiServer: target.url,
          kubernetesVersion: '1.33',
        },
      });
      expect(res.text).not.toContain(target.token);
      const kubeconfig = await request(backend.server)
        .get(`${BASE}/clusters/onprem/kubeconfig`)
        .set('Authorization', bob);
      expectStatus(kubeconfig, 200);
      expect(kubeconfig.text).toContain(target.token);
    });
  });
});
