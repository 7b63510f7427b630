import { TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { JsonValue } from '@backstage/types';
import { ConflictError, InputError } from '@backstage/errors';
import { randomBytes } from 'node:crypto';
import { Knex } from 'knex';
import {
  DatabaseSecretStore,
  readSecretKeys,
  SecretDecryptionError,
} from './DatabaseSecretStore';

jest.setTimeout(60_000);

const keyA = { id: 'key-a', secret: randomBytes(32).toString('base64') };
const keyB = { id: 'key-b', secret: randomBytes(32).toString('base64') };

const configWith = (keys: JsonValue) =>
  new ConfigReader({
    pipelinePortal: { clusters: { secrets: { database: { keys } } } },
  });

const AWS = {
  accessKeyId: 'AKIAABCDEFGHIJKLMNOP',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzSECRETVALUE',
};
const DO_TOKEN = 'dop_v1_0123456789abcdef0123456789abcdef';
const OWNER = 'group:default/payments';

describe('readSecretKeys', () => {
  it('refuses to start without a key, naming the config key', () => {
    expect(() => readSecretKeys(new ConfigReader({}))).toThrow(
      /^pipelinePortal\.clusters\.secrets\.database\.keys is not set/,
    );
  });

  it('refuses a short key without echoing it', () => {
    const short = randomBytes(16).toString('base64');
    let message = '';
    try {
      readSecretKeys(configWith([{ id: 'k', secret: short }]));
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(
      /^pipelinePortal\.clusters\.secrets\.database\.keys\[0\]\.secret must be exactly 32 bytes/,
    );
    expect(message).not.toContain(short);
  });

  it('refuses duplicate ids and bad ids', () => {
    expect(() => readSecretKeys(configWith([keyA, keyA]))).toThrow(
      /keys\[1\]\.id 'key-a' is used twice/,
    );
    expect(() =>
      readSecretKeys(configWith([{ id: 'a b', secret: keyA.secret }])),
    ).toThrow(/keys\[0\]\.id must be/);
  });
});

describe('DatabaseSecretStore', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    let knex: Knex;
    const storeWith = (keys: JsonValue) =>
      DatabaseSecretStore.create({
        database: { getClient: async () => knex },
        config: configWith(keys),
      });

    beforeAll(async () => {
      knex = await databases.init(databaseId);
    });

    it('round-trips a secret and normalizes the owner', async () => {
      const store = await storeWith([keyA]);
      const put = await store.put({
        owner: 'payments',
        name: 'prod-aws',
        kind: 'aws',
        value: AWS,
      });
      expect(put).toEqual({
        owner: OWNER,
        name: 'prod-aws',
        kind: 'aws',
        value: AWS,
        createdAt: expect.any(String),
      });
      const got = await store.get({ owner: OWNER, name: 'prod-aws' });
      expect(got).toEqual(put);
      expect(Date.parse(got!.createdAt)).toBeGreaterThan(Date.now() - 60_000);
      await expect(
        store.get({ owner: OWNER, name: 'missing' }),
      ).resolves.toBeUndefined();
    });

    it('names the invalid field and never echoes the value', async () => {
      const store = await storeWith([keyA]);
      const badId = 'NOT-AN-ACCESS-KEY-s3cr3t';
      const attempt = store.put({
        owner: OWNER,
        name: 'bad',
        kind: 'aws',
        value: { accessKeyId: badId, secretAccessKey: 'short-s3cr3t' },
      });
      await expect(attempt).rejects.toBeInstanceOf(InputError);
      const message = await attempt.catch(e => e.message);
      expect(message).toContain(
        'value.accessKeyId: must be an AWS access key id',
      );
      expect(message).toContain('value.secretAccessKey');
      expect(message).not.toContain(badId);
      expect(message).not.toContain('short-s3cr3t');

      await expect(
        store.put({
          owner: OWNER,
          name: 'bad',
          kind: 'nope' as any,
          value: {},
        }),
      ).rejects.toThrow(/^kind: must be one of/);
      await expect(
        store.put({ owner: OWNER, name: 'Bad_Name', kind: 'aws', value: AWS }),
      ).rejects.toThrow(/^name: must be an RFC 1123 label/);
      await expect(store.get({ owner: OWNER, name: 'bad' })).resolves.toBe(
        undefined,
      );
    });

    it('refuses to overwrite unless asked', async () => {
      const store = await storeWith([keyA]);
      const first = await store.put({
        owner: OWNER,
        name: 'do',
        kind: 'digitalocean',
        value: { token: DO_TOKEN },
      });
      await expect(
        store.put({
          owner: OWNER,
          name: 'do',
          kind: 'digitalocean',
          value: { token: `${DO_TOKEN}-2` },
        }),
      ).rejects.toBeInstanceOf(ConflictError);
      const second = await store.put(
        {
          owner: OWNER,
          name: 'do',
          kind: 'digitalocean',
          value: { token: `${DO_TOKEN}-2` },
        },
        { overwrite: true },
      );
      expect(second.createdAt).toBe(first.createdAt);
      expect((await store.get({ owner: OWNER, name: 'do' }))?.value).toEqual({
        token: `${DO_TOKEN}-2`,
      });
    });

    it('lists summaries without values, filtered by owner and kind', async () => {
      const store = await storeWith([keyA]);
      await store.put({
        owner: 'group:default/search',
        name: 'kc',
        kind: 'kubeconfig',
        value: { kubeconfig: 'apiVersion: v1' },
      });
      const all = await store.list();
      expect(all.map(s => `${s.owner}/${s.name}:${s.kind}`)).toEqual([
        `${OWNER}/do:digitalocean`,
        `${OWNER}/prod-aws:aws`,
        'group:default/search/kc:kubeconfig',
      ]);
      for (const summary of all) {
        expect(Object.keys(summary).sort()).toEqual([
          'createdAt',
          'kind',
          'name',
          'owner',
        ]);
      }
      expect(JSON.stringify(all)).not.toContain(DO_TOKEN);
      expect((await store.list({ owner: 'search' })).map(s => s.name)).toEqual([
        'kc',
      ]);
      expect(
        (await store.list({ owner: OWNER, kinds: ['aws', 'kubeconfig'] })).map(
          s => s.name,
        ),
      ).toEqual(['prod-aws']);
      await expect(store.list({ kinds: ['bogus' as any] })).rejects.toThrow(
        InputError,
      );
    });

    it('never stores plaintext', async () => {
      const rows = await knex('secrets').select();
      expect(rows.length).toBeGreaterThan(0);
      const raw = JSON.stringify(rows);
      for (const secret of [
        AWS.accessKeyId,
        AWS.secretAccessKey,
        DO_TOKEN,
        'apiVersion: v1',
      ]) {
        expect(raw).not.toContain(secret);
        expect(raw).not.toContain(Buffer.from(secret).toString('base64'));
        // base64 of the value at any alignment inside a larger plaintext
        expect(raw).not.toContain(
          Buffer.from(`"${secret}"`).toString('base64').slice(4, -4),
        );
      }
      expect(raw).not.toContain(keyA.secret);
      // A fresh IV per write: no two rows share one.
      const ivs = new Set(rows.map(r => r.iv));
      expect(ivs.size).toBe(rows.length);
      expect(Buffer.from(rows[0].iv, 'base64')).toHaveLength(12);
    });

    it('rotates keys: old rows readable, reencrypt, old key dropped', async () => {
      const storeA = await storeWith([keyA]);
      await storeA.put({
        owner: OWNER,
        name: 'rotating',
        kind: 'alibaba',
        value: { accessKeyId: 'LTAI-id', accessKeySecret: 'ali-s3cr3t' },
      });

      const storeBA = await storeWith([keyB, keyA]);
      expect(
        (await storeBA.get({ owner: OWNER, name: 'rotating' }))?.value,
      ).toEqual({ accessKeyId: 'LTAI-id', accessKeySecret: 'ali-s3cr3t' });

      // Without key A, rows written under it are unreadable until re-encrypted.
      const storeB = await storeWith([keyB]);
      await expect(
        storeB.get({ owner: OWNER, name: 'rotating' }),
      ).rejects.toThrow(/encrypted with key 'key-a', which is not in/);

      const total = Number((await knex('secrets').count({ n: '*' }))[0].n);
      expect(await storeBA.reencrypt()).toBe(total);
      expect(await storeBA.reencrypt()).toBe(0);
      const keyIds = await knex('secrets').distinct('key_id');
      expect(keyIds).toEqual([{ key_id: 'key-b' }]);

      expect(
        (await storeB.get({ owner: OWNER, name: 'rotating' }))?.value,
      ).toEqual({ accessKeyId: 'LTAI-id', accessKeySecret: 'ali-s3cr3t' });
      expect(
        (await storeB.get({ owner: OWNER, name: 'prod-aws' }))?.value,
      ).toEqual(AWS);
    });

    it('detects a flipped ciphertext byte', async () => {
      const store = await storeWith([keyB]);
      await store.put({
        owner: OWNER,
        name: 'tampered',
        kind: 'digitalocean',
        value: { token: DO_TOKEN },
      });
      const row = await knex('secrets')
        .where({ owner: OWNER, name: 'tampered' })
        .first();
      const bytes = Buffer.from(row.ciphertext, 'base64');
      bytes[3] ^= 0x01;
      await knex('secrets')
        .where({ owner: OWNER, name: 'tampered' })
        .update({ ciphertext: bytes.toString('base64') });
      const attempt = store.get({ owner: OWNER, name: 'tampered' });
      await expect(attempt).rejects.toBeInstanceOf(SecretDecryptionError);
      await expect(attempt).rejects.toThrow(/failed to decrypt/);
    });

    it('detects a row moved to another owner, name or kind', async () => {
      const store = await storeWith([keyB]);
      await store.put({
        owner: OWNER,
        name: 'movable',
        kind: 'digitalocean',
        value: { token: DO_TOKEN },
      });
      const thief = 'group:default/thieves';
      await knex('secrets')
        .where({ owner: OWNER, name: 'movable' })
        .update({ owner: thief });
      await expect(
        store.get({ owner: thief, name: 'movable' }),
      ).rejects.toBeInstanceOf(SecretDecryptionError);

      await knex('secrets')
        .where({ owner: thief, name: 'movable' })
        .update({ owner: OWNER, name: 'renamed' });
      await expect(
        store.get({ owner: OWNER, name: 'renamed' }),
      ).rejects.toBeInstanceOf(SecretDecryptionError);

      await knex('secrets')
        .where({ owner: OWNER, name: 'renamed' })
        .update({ name: 'movable', kind: 'kubeconfig' });
      await expect(
        store.get({ owner: OWNER, name: 'movable' }),
      ).rejects.toBeInstanceOf(SecretDecryptionError);

      await knex('secrets')
        .where({ owner: OWNER, name: 'movable' })
        .update({ kind: 'digitalocean' });
      expect(
        (await store.get({ owner: OWNER, name: 'movable' }))?.value,
      ).toEqual({ token: DO_TOKEN });
    });

    it('deletes only a secret of the kinds asked for', async () => {
      const store = await storeWith([keyA]);
      const kubeconfig = { kubeconfig: 'apiVersion: v1\nkind: Config' };
      await store.put({
        owner: OWNER,
        name: 'cluster-apps-kubeconfig',
        kind: 'kubeconfig',
        value: kubeconfig,
      });
      await expect(
        store.delete(
          { owner: OWNER, name: 'cluster-apps-kubeconfig' },
          { kinds: ['aws', 'digitalocean'] },
        ),
      ).resolves.toBe(false);
      expect(
        (await store.get({ owner: OWNER, name: 'cluster-apps-kubeconfig' }))
          ?.value,
      ).toEqual(kubeconfig);
      await expect(
        store.delete(
          { owner: 'PAYMENTS', name: 'cluster-apps-kubeconfig' },
          { kinds: ['kubeconfig'] },
        ),
      ).resolves.toBe(true);
      await expect(
        store.delete({ owner: OWNER, name: 'x' }, { kinds: ['nope' as any] }),
      ).rejects.toThrow('kind: must be one of');
    });

    it('deletes', async () => {
      const store = await storeWith([keyB]);
      await expect(
        store.delete({ owner: OWNER, name: 'movable' }),
      ).resolves.toBe(true);
      await expect(
        store.delete({ owner: OWNER, name: 'movable' }),
      ).resolves.toBe(false);
      await expect(
        store.get({ owner: OWNER, name: 'movable' }),
      ).resolves.toBeUndefined();
    });
  });
});
