import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { startVault, VaultDouble } from '@pipeline-portal/testing';
import { randomBytes } from 'node:crypto';
import { Knex } from 'knex';
import { createSecretStore } from './createSecretStore';
import { DatabaseSecretStore } from './DatabaseSecretStore';
import { VaultSecretStore } from './VaultSecretStore';

describe('createSecretStore', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let knex: Knex;
  let vault: VaultDouble;
  const logger = mockServices.logger.mock();
  const database = () => ({ getClient: async () => knex });
  const config = (secrets: object) =>
    new ConfigReader({ pipelinePortal: { clusters: { secrets } } });
  const keys = [{ id: 'k1', secret: randomBytes(32).toString('base64') }];

  beforeAll(async () => {
    knex = await databases.init('SQLITE_3');
    vault = await startVault();
  });
  afterAll(() => vault.close());

  it('defaults to the database store', async () => {
    const store = await createSecretStore({
      config: config({ database: { keys } }),
      database: database(),
      logger,
    });
    expect(store).toBeInstanceOf(DatabaseSecretStore);
    await store.put({
      owner: 'payments',
      name: 'do',
      kind: 'digitalocean',
      value: { token: 'dop_v1_0123456789abcdef' },
    });
    expect(await knex('secrets').count({ n: '*' })).toEqual([{ n: 1 }]);
  });

  it('refuses a database store without keys, naming the key', async () => {
    await expect(
      createSecretStore({ config: config({}), database: database(), logger }),
    ).rejects.toThrow(
      /^pipelinePortal\.clusters\.secrets\.database\.keys is not set/,
    );
  });

  it('builds a Vault store and closes it on shutdown', async () => {
    const lifecycle = mockServices.lifecycle.mock();
    const store = await createSecretStore({
      config: config({
        store: 'vault',
        vault: { endpoint: vault.url, auth: { token: vault.rootToken } },
      }),
      database: database(),
      logger,
      lifecycle,
    });
    expect(store).toBeInstanceOf(VaultSecretStore);
    expect(lifecycle.addShutdownHook).toHaveBeenCalledTimes(1);
    await lifecycle.addShutdownHook.mock.calls[0][0]();
    await expect(store.list()).rejects.toThrow(/closed/);
  });

  it('names an unknown store type', async () => {
    await expect(
      createSecretStore({
        config: config({ store: 'etcd' }),
        database: database(),
        logger,
      }),
    ).rejects.toThrow(
      "pipelinePortal.clusters.secrets.store must be 'database' or 'vault', got 'etcd'",
    );
  });
});
