import { TestDatabases } from '@backstage/backend-test-utils';
import {
  CREDENTIAL_KIND_OF,
  PROVISIONED_DISTRIBUTIONS,
  ProvisionedDistribution,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { KubeApi, startKubeApi } from '@pipeline-portal/testing';
import { Knex } from 'knex';
import { randomBytes } from 'node:crypto';
import selfsigned from 'selfsigned';
import request from 'supertest';
import { stringify } from 'yaml';
import { playEngines } from '../__testUtils__/engines';
import {
  startManagementCluster,
  TEST_SECRET_KEY,
} from '../__testUtils__/fixtures';
import {
  authAs,
  expectStatus,
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
const delay = (ms: number) => new Promise(r => setTimeout(r, ms));
const rand = (n = 12) => randomBytes(n).toString('hex');

/** Credential values with a fresh secret in every secret field. */
function secretCredentials() {
  const pem = (label: string) =>
    `-----BEGIN ${label}PRIVATE KEY-----\n${randomBytes(48).toString(
      'base64',
    )}\n-----END ${label}PRIVATE KEY-----\n`;
  const googleKey = pem('');
  const values: Record<ProvisionedDistribution, Record<string, string>> = {
    eks: {
      accessKeyId: `AKIA${rand(8).toUpperCase()}`,
      secretAccessKey: randomBytes(30).toString('base64'),
    },
    aks: { ...CREDENTIALS.aks, clientSecret: `azs~${rand()}` },
    gke: {
      serviceAccountKey: JSON.stringify({
        ...JSON.parse(CREDENTIALS.gke.serviceAccountKey),
        private_key: googleKey,
      }),
    },
    oke: {
      ...CREDENTIALS.oke,
      privateKey: pem('RSA '),
      passphrase: `oci-pass-${rand()}`,
    },
    ack: { accessKeyId: `LTAI5t${rand()}`, accessKeySecret: `ack-${rand()}` },
    doks: { token: `dop_v1_${rand(32)}` },
  };
  const secrets = [
    values.eks.accessKeyId,
    values.eks.secretAccessKey,
    values.aks.clientSecret,
    values.gke.serviceAccountKey,
    googleKey.split('\n')[1],
    values.oke.privateKey.split('\n')[1],
    values.oke.passphrase,
    values.ack.accessKeyId,
    values.ack.accessKeySecret,
    values.doks.token,
  ];
  return { values, secrets };
}

/** The value, and its base64 at each of the 3 byte alignments. */
function encodings(secret: string): string[] {
  const out = [secret];
  for (let offset = 0; offset < 3; offset++) {
    const b64 = Buffer.from(secret.slice(offset)).toString('base64');
    // The last 4 characters depend on what follows the secret.
    if (b64.length > 12) out.push(b64.slice(0, -4));
  }
  return out;
}

/** Every row of every table of the plugin's database, as text. */
async function dumpDatabase(knex: Knex): Promise<Record<string, string>> {
  const client = String(knex.client.config.client);
  const tables: string[] = client.includes('pg')
    ? (
        await knex.raw(
          `select tablename from pg_tables where schemaname = current_schema()`,
        )
      ).rows.map((r: { tablename: string }) => r.tablename)
    : (
        await knex.raw(
          `select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`,
        )
      ).map((r: { name: string }) => r.name);
  const dump: Record<string, string> = {};
  for (const table of tables) {
    const rows = await knex(table).select();
    dump[table] = JSON.stringify(rows, (_k, v) => {
      if (v && v.type === 'Buffer' && Array.isArray(v.data)) {
        const buf = Buffer.from(v.data);
        return `${buf.toString('utf8')} ${buf.toString('base64')}`;
      }
      return v;
    });
  }
  return dump;
}

describe('secrets never leave the secret store', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
  let management: KubeApi;
  let workload: KubeApi;
  let stopEngines: () => void;
  /** The token the engines put into the kubeconfigs they write. */
  const engineToken = `engine-kubeconfig-${rand()}`;

  beforeAll(async () => {
    [management, workload] = await Promise.all([
      startManagementCluster(),
      startKubeApi({ token: `imported-cluster-${rand()}` }),
    ]);
    stopEngines = playEngines(management, {
      readyAfterMs: 5,
      kubeconfig: {
        server: workload.url,
        caData: workload.caData,
        token: engineToken,
      },
    });
  });
  afterAll(async () => {
    stopEngines?.();
    await Promise.all([management?.close(), workload?.close()]);
  });

  it.each(databases.eachSupportedId())(
    'keeps every secret out of logs, responses and plain database rows on %s',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const backend: PortalBackend = await startPortalBackend({
        knex,
        management,
        config: {
          pipelinePortal: {
            clusters: {
              reconcile: { requestsPerSecondPerCluster: 1000 },
              import: { allowedCidrs: ['127.0.0.0/8'] },
            },
          },
        },
      });
      const suffix = databaseId === 'SQLITE_3' ? 'sq' : 'pg';
      const { values, secrets } = secretCredentials();
      const client = selfsigned.generate(
        [{ name: 'commonName', value: 'portal' }],
        { keySize: 1024 },
      );
      const clientKeyData = Buffer.from(client.private).toString('base64');
      const imported = stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          {
            name: 'w',
            cluster: {
              server: workload.url,
              'certificate-authority-data': workload.caData,
            },
          },
        ],
        users: [
          {
            name: 'w',
            user: {
              token: workload.token,
              'client-certificate-data': Buffer.from(client.cert).toString(
                'base64',
              ),
              'client-key-data': clientKeyData,
            },
          },
        ],
        contexts: [{ name: 'w', context: { cluster: 'w', user: 'w' } }],
        'current-context': 'w',
      });
      const allSecrets = [
        ...secrets,
        workload.token,
        clientKeyData,
        client.private.split('\n')[1],
        engineToken,
        management.token,
        TEST_SECRET_KEY,
      ];

      /** Every response body the scan covers (not the kubeconfig downloads). */
      const bodies: Array<{ what: string; text: string }> = [];
      const call = async (
        what: string,
        req: request.Test,
        status: number,
      ): Promise<request.Response> => {
        const res = await req;
        expectStatus(res, status);
        bodies.push({ what, text: res.text });
        return res;
      };
      const api = () => request(backend.server);
      const names = PROVISIONED_DISTRIBUTIONS.map(d => `${d}-${suffix}`);

      // Credentials and clusters of every distribution.
      for (const d of PROVISIONED_DISTRIBUTIONS) {
        await call(
          `POST credential ${d}`,
          api()
            .post(`${BASE}/credentials`)
            .set('Authorization', bob)
            .send({
              name: `${d}-cloud`,
              owner: 'group:default/payments',
              kind: CREDENTIAL_KIND_OF[d],
              value: values[d],
            }),
          201,
        );
        await call(
          `POST cluster ${d}`,
          api()
            .post(`${BASE}/clusters`)
            .set('Authorization', bob)
            .send({
              ...sampleSpec(d),
              name: `${d}-${suffix}`,
              credential: `${d}-cloud`,
            }),
          201,
        );
      }
      // A duplicate credential: an error body.
      await call(
        'POST duplicate credential',
        api().post(`${BASE}/credentials`).set('Authorization', bob).send({
          name: 'doks-cloud',
          owner: 'group:default/payments',
          kind: 'digitalocean',
          value: values.doks,
        }),
        409,
      );

      const phases = async () =>
        (
          await call(
            'GET clusters',
            api().get(`${BASE}/clusters`).set('Authorization', bob),
            200,
          )
        ).body.items.map((c: { name: string; status: { phase: string } }) => [
          c.name,
          c.status.phase,
        ]) as Array<[string, string]>;
      const passUntil = async (
        done: (p: Array<[string, string]>) => boolean,
      ) => {
        for (const end = Date.now() + 45_000; Date.now() < end; ) {
          await backend.reconcile();
          if (done(await phases())) return;
          await delay(15);
        }
        throw new Error(`stuck: ${JSON.stringify(await phases())}`);
      };
      await passUntil(p => p.every(([, phase]) => phase === 'Running'));

      // Scale one, download kubeconfigs, be refused some.
      const eks = await call(
        'GET eks',
        api().get(`${BASE}/clusters/${names[0]}`).set('Authorization', bob),
        200,
      );
      await call(
        'PATCH eks',
        api()
          .patch(`${BASE}/clusters/${names[0]}`)
          .set('Authorization', bob)
          .send({
            revision: eks.body.revision,
            nodePools: [{ ...sampleSpec('eks').nodePools[0], desiredSize: 4 }],
          }),
        200,
      );
      await call(
        'PATCH eks stale',
        api()
          .patch(`${BASE}/clusters/${names[0]}`)
          .set('Authorization', bob)
          .send({ revision: eks.body.revision, kubernetesVersion: '1.33' }),
        409,
      );
      for (const name of names) {
        const kubeconfig = await api()
          .get(`${BASE}/clusters/${name}/kubeconfig`)
          .set('Authorization', bob);
        expectStatus(kubeconfig, 200);
        // What the scan looks for is really there, where it belongs.
        expect(kubeconfig.text).toContain(engineToken);
        await call(
          `GET kubeconfig ${name} as carol`,
          api()
            .get(`${BASE}/clusters/${name}/kubeconfig`)
            .set('Authorization', carol),
          403,
        );
        await call(
          `GET access ${name} as a user`,
          api()
            .get(`${BASE}/clusters/${name}/access`)
            .set('Authorization', bob),
          403,
        );
        await call(
          `GET history ${name}`,
          api()
            .get(`${BASE}/clusters/${name}/history`)
            .set('Authorization', bob),
          200,
        );
      }

      // Import: refused with the secrets inside, then accepted.
      await call(
        'POST import refused',
        api()
          .post(`${BASE}/clusters/import`)
          .set('Authorization', bob)
          .send({
            name: `imported-${suffix}`,
            owner: 'group:default/payments',
            kubeconfig: imported.replace(
              'current-context: w',
              'current-context: w\npreferences: {}\nextra: [',
            ),
          }),
        400,
      );
      await call(
        'POST import with an exec plugin',
        api()
          .post(`${BASE}/clusters/import`)
          .set('Authorization', bob)
          .send({
            name: `imported-${suffix}`,
            owner: 'group:default/payments',
            kubeconfig: imported.replace(
              `token: ${workload.token}`,
              `token: ${workload.token}\n      exec: { command: sh }`,
            ),
          }),
        400,
      );
      await call(
        'POST import',
        api()
          .post(`${BASE}/clusters/import`)
          .set('Authorization', bob)
          .send({
            name: `imported-${suffix}`,
            owner: 'group:default/payments',
            kubeconfig: imported,
          }),
        201,
      );
      const download = await api()
        .get(`${BASE}/clusters/imported-${suffix}/kubeconfig`)
        .set('Authorization', bob);
      expectStatus(download, 200);
      expect(download.text).toContain(workload.token);
      expect(download.text).toContain(clientKeyData);

      // Delete all but eks; eks and the import keep their kubeconfigs.
      for (const name of names.slice(1)) {
        await call(
          `DELETE ${name}`,
          api().delete(`${BASE}/clusters/${name}`).set('Authorization', bob),
          202,
        );
      }
      await passUntil(
        p => p.length === 2 && p.every(([, phase]) => phase === 'Running'),
      );
      await call(
        'GET credentials',
        api().get(`${BASE}/credentials`).set('Authorization', bob),
        200,
      );
      await call(
        'GET cluster 404',
        api().get(`${BASE}/clusters/${names[1]}`).set('Authorization', bob),
        404,
      );
      await backend.stop();

      // The scans, each one first shown to be able to find something.
      const logs = backend.logs.map(l => JSON.stringify(l));
      expect(logs.length).toBeGreaterThan(0);
      expect(bodies.length).toBeGreaterThan(40);
      const database = await dumpDatabase(knex);
      expect(Object.keys(database)).toEqual(
        expect.arrayContaining(['secrets', 'clusters', 'cluster_history']),
      );
      expect(database.secrets).toContain('kubeconfig');

      const leaks: string[] = [];
      allSecrets.forEach((secret, index) => {
        for (const log of logs) {
          if (log.includes(secret))
            leaks.push(`secret #${index} in log ${log}`);
        }
        for (const { what, text } of bodies) {
          if (text.includes(secret)) leaks.push(`secret #${index} in ${what}`);
        }
        for (const [table, rows] of Object.entries(database)) {
          for (const encoded of encodings(secret)) {
            if (rows.includes(encoded)) {
              leaks.push(`secret #${index} in table ${table}`);
            }
          }
        }
      });
      expect(leaks).toEqual([]);
    },
  );
});
