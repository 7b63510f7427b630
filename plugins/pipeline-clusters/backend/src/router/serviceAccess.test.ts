import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
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
import { ServiceAccess } from '../permissions/serviceAccess';

jest.setTimeout(120_000);

const BASE = '/api/pipeline-clusters';
const OWNER = 'group:default/payments';
const bob = authAs(USERS.bob);
const ACCESS = `${BASE}/clusters/apps/access`;
const VALUE = `${BASE}/credentials/${encodeURIComponent(OWNER)}/aws-main/value`;

/** A token of a service principal (`plugin:<id>` or other), to this plugin. */
const serviceToken = (subject: string) =>
  mockCredentials.service.header({
    onBehalfOf: mockCredentials.service(subject),
    targetPluginId: 'pipeline-clusters',
  });
const pluginToken = (id: string) => serviceToken(`plugin:${id}`);

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

const loopbackImports = {
  pipelinePortal: { clusters: { import: { allowedCidrs: ['127.0.0.0/8'] } } },
};

describe('ServiceAccess.fromConfig', () => {
  const config = (serviceAccess: object) =>
    new ConfigReader({ pipelinePortal: { clusters: { serviceAccess } } });
  const plugin = (id: string) => mockCredentials.service(`plugin:${id}`);

  it('defaults to the plugins that call each route', () => {
    const access = ServiceAccess.fromConfig(new ConfigReader({}));
    const allowed = (grant: Parameters<ServiceAccess['allows']>[1]) =>
      [
        'kubernetes',
        'spotguides',
        'integrated-services',
        'catalog',
        'scaffolder',
      ].filter(id => access.allows(plugin(id), grant));
    expect(allowed('clusterAccess')).toEqual([
      'kubernetes',
      'spotguides',
      'integrated-services',
    ]);
    expect(allowed('clusterCertificateAuthority')).toEqual(['catalog']);
    expect(allowed('credentialValue')).toEqual(['integrated-services']);
  });

  it('takes the lists from config, an empty list allowing no plugin', () => {
    const access = ServiceAccess.fromConfig(
      config({ clusterAccess: ['spotguides'], credentialValue: [] }),
    );
    expect(access.allows(plugin('spotguides'), 'clusterAccess')).toBe(true);
    expect(access.allows(plugin('kubernetes'), 'clusterAccess')).toBe(false);
    expect(() =>
      access.require(plugin('integrated-services'), 'credentialValue'),
    ).toThrow(
      "plugin integrated-services may not read a credential's value: only no plugin (pipelinePortal.clusters.serviceAccess.credentialValue)",
    );
  });

  it('refuses at start-up what is not a plugin id, naming the key', () => {
    expect(() =>
      ServiceAccess.fromConfig(
        config({ clusterAccess: ['kubernetes', 'plugin:spotguides'] }),
      ),
    ).toThrow(
      'pipelinePortal.clusters.serviceAccess.clusterAccess[1]: "plugin:spotguides" is not a plugin id',
    );
    expect(() =>
      ServiceAccess.fromConfig(config({ credentialValue: 'catalog' })),
    ).toThrow(/credentialValue/);
  });

  it('never lets a user or a non-plugin service through', () => {
    const access = ServiceAccess.fromConfig(new ConfigReader({}));
    expect(access.allows(mockCredentials.user(), 'clusterAccess')).toBe(false);
    expect(
      access.allows(
        mockCredentials.service('external:kubernetes'),
        'clusterAccess',
      ),
    ).toBe(false);
  });
});

describe('service-to-service routes answer only the plugins on their lists', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    let backend: PortalBackend;
    let workload: KubeApi;
    let knex: Knex;
    const queries: string[] = [];
    /** Statements on the secrets table since the last call. */
    const secretReads = () => {
      const reads = queries.filter(sql => /secrets/.test(sql));
      queries.length = 0;
      return reads;
    };

    beforeAll(async () => {
      workload = await startKubeApi();
      knex = await databases.init(databaseId);
      knex.on('query', (q: { sql: string }) => queries.push(q.sql));
      backend = await startPortalBackend({ knex, config: loopbackImports });
      expectStatus(
        await request(backend.server)
          .post(`${BASE}/clusters/import`)
          .set('Authorization', bob)
          .send({
            name: 'apps',
            owner: OWNER,
            kubeconfig: kubeconfigFor(workload),
          }),
        201,
      );
      expectStatus(
        await request(backend.server)
          .post(`${BASE}/credentials`)
          .set('Authorization', bob)
          .send({
            name: 'aws-main',
            owner: OWNER,
            kind: 'aws',
            value: CREDENTIALS.eks,
          }),
        201,
      );
    });
    afterAll(async () => {
      await backend?.stop();
      await workload?.close();
    });

    const get = (path: string, authorization: string) =>
      request(backend.server).get(path).set('Authorization', authorization);

    it.each(['kubernetes', 'spotguides', 'integrated-services'])(
      'gives %s the cluster access',
      async id => {
        const res = await get(ACCESS, pluginToken(id));
        expectStatus(res, 200);
        expect(res.body).toEqual({
          name: 'apps',
          apiServer: workload.url,
          caData: workload.caData,
          token: workload.token,
        });
        expect(res.headers['cache-control']).toBe('no-store');
      },
    );

    it('gives the catalog the API server and its CA, never the credential', async () => {
      const res = await get(ACCESS, pluginToken('catalog'));
      expectStatus(res, 200);
      expect(res.body).toEqual({
        name: 'apps',
        apiServer: workload.url,
        caData: workload.caData,
      });
      expect(res.text).not.toContain(workload.token);
    });

    it.each([
      ['plugin scaffolder', pluginToken('scaffolder')],
      ['plugin permission', pluginToken('permission')],
      ['a plugin named like a listed one', pluginToken('kubernetes-ingestor')],
      ['an external service token', serviceToken('external:kubernetes')],
    ])(
      'refuses %s the cluster access with 403, reading no secret',
      async (_who, token) => {
        secretReads();
        const res = await get(ACCESS, token);
        expectStatus(res, 403);
        expect(res.body.error.name).toBe('NotAllowedError');
        expect(res.body.error.message).toMatch(
          /may not read a cluster's access: only kubernetes, spotguides, integrated-services \(pipelinePortal\.clusters\.serviceAccess\.clusterAccess\), or its certificate authority only catalog/,
        );
        expect(res.text).not.toContain(workload.token);
        expect(secretReads()).toEqual([]);
      },
    );

    const KUBECONFIG = `${BASE}/clusters/apps/kubeconfig`;

    it('gives the kubeconfig to the plugins that may read the cluster access', async () => {
      const res = await get(KUBECONFIG, pluginToken('kubernetes'));
      expectStatus(res, 200);
      expect(res.text).toContain(workload.token);
    });

    it.each([
      ['the catalog (the CA only)', pluginToken('catalog')],
      ['plugin scaffolder', pluginToken('scaffolder')],
      ['an external service token', serviceToken('external:kubernetes')],
    ])(
      'refuses %s the kubeconfig with 403, reading no secret',
      async (_who, token) => {
        secretReads();
        const res = await get(KUBECONFIG, token);
        expectStatus(res, 403);
        expect(res.body.error.message).toMatch(
          /may not read a cluster's kubeconfig: only kubernetes, spotguides, integrated-services \(pipelinePortal\.clusters\.serviceAccess\.clusterAccess\)/,
        );
        expect(res.text).not.toContain(workload.token);
        expect(secretReads()).toEqual([]);
      },
    );

    it('refuses an unlisted plugin before reading its input: 403, not 400', async () => {
      const res = await get(
        `${BASE}/clusters/Not_A_Name/access`,
        pluginToken('scaffolder'),
      );
      expectStatus(res, 403);
      const value = await get(
        `${BASE}/credentials/${encodeURIComponent(OWNER)}/Bad_Name/value`,
        pluginToken('kubernetes'),
      );
      expectStatus(value, 403);
      expect(secretReads()).toEqual([]);
    });

    it('gives integrated-services a credential value, read from the store', async () => {
      secretReads();
      const res = await get(VALUE, pluginToken('integrated-services'));
      expectStatus(res, 200);
      expect(res.body).toEqual({ value: CREDENTIALS.eks });
      // What the refusals below are compared with: an answer reads the store.
      expect(secretReads()).not.toEqual([]);
    });

    it.each(['kubernetes', 'spotguides', 'catalog', 'scaffolder'])(
      'refuses %s a credential value with 403, reading no secret',
      async id => {
        secretReads();
        const res = await get(VALUE, pluginToken(id));
        expectStatus(res, 403);
        expect(res.body.error.message).toBe(
          `plugin ${id} may not read a credential's value: only integrated-services (pipelinePortal.clusters.serviceAccess.credentialValue)`,
        );
        expect(res.text).not.toContain(CREDENTIALS.eks.secretAccessKey);
        expect(secretReads()).toEqual([]);
      },
    );

    it('still refuses users both routes, admins included', async () => {
      for (const user of [USERS.bob, USERS.alice]) {
        expectStatus(await get(ACCESS, authAs(user)), 403);
        expectStatus(await get(VALUE, authAs(user)), 403);
      }
      expect(secretReads()).toEqual([]);
    });
  });

  describe('with lists from config', () => {
    let backend: PortalBackend;
    let workload: KubeApi;

    beforeAll(async () => {
      workload = await startKubeApi();
      backend = await startPortalBackend({
        knex: await databases.init('SQLITE_3'),
        config: {
          pipelinePortal: {
            clusters: {
              ...loopbackImports.pipelinePortal.clusters,
              serviceAccess: {
                clusterAccess: ['spotguides'],
                clusterCertificateAuthority: [],
                credentialValue: [],
              },
            },
          },
        },
      });
      expectStatus(
        await request(backend.server)
          .post(`${BASE}/clusters/import`)
          .set('Authorization', bob)
          .send({
            name: 'apps',
            owner: OWNER,
            kubeconfig: kubeconfigFor(workload),
          }),
        201,
      );
    });
    afterAll(async () => {
      await backend?.stop();
      await workload?.close();
    });

    it('answers the listed plugins only', async () => {
      const as = (id: string) =>
        request(backend.server)
          .get(ACCESS)
          .set('Authorization', pluginToken(id));
      expectStatus(await as('spotguides'), 200);
      for (const id of ['kubernetes', 'integrated-services', 'catalog']) {
        const res = await as(id);
        expectStatus(res, 403);
        expect(res.body.error.message).toContain('only spotguides');
      }
      const value = await request(backend.server)
        .get(VALUE)
        .set('Authorization', pluginToken('integrated-services'));
      expectStatus(value, 403);
    });
  });
});
