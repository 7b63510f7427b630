import { ConfigReader } from '@backstage/config';
import { JsonValue } from '@backstage/types';
import {
  ConflictError,
  InputError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { startVault, VaultDouble } from '@pipeline-portal/testing';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  readVaultConfig,
  VaultSecretStore,
  VaultSecretStoreOptions,
} from './VaultSecretStore';

jest.setTimeout(30_000);

const OWNER = 'group:default/payments';
const AWS = {
  accessKeyId: 'AKIAVAULTTESTKEY0001',
  secretAccessKey: 'vault-aws-s3cr3t-value-0123456789',
};
const DO_TOKEN = 'dop_v1_vault_0123456789abcdef0123456789';
const PORTAL_POLICY = [
  {
    path: 'secret/data/pipeline-portal/*',
    capabilities: ['create', 'read', 'update', 'delete'] as const,
  },
  {
    path: 'secret/metadata/pipeline-portal/*',
    capabilities: ['create', 'read', 'update', 'delete', 'list'] as const,
  },
];

const unsignedServiceAccountJwt = (name: string, namespace: string) => {
  const b64 = (o: object) =>
    Buffer.from(JSON.stringify(o)).toString('base64url');
  return [
    b64({ alg: 'RS256', typ: 'JWT' }),
    b64({
      iss: 'kubernetes/serviceaccount',
      sub: `system:serviceaccount:${namespace}:${name}`,
      'kubernetes.io': { namespace, serviceaccount: { name, uid: 'uid-1' } },
    }),
    'unsigned',
  ].join('.');
};

const waitFor = async (condition: () => boolean, timeoutMs = 5000) => {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise(r => setTimeout(r, 50));
  }
};

describe('VaultSecretStore', () => {
  let vault: VaultDouble;
  let dir: string;
  const stores: VaultSecretStore[] = [];

  const options = (
    auth: VaultSecretStoreOptions['auth'],
  ): VaultSecretStoreOptions => ({
    endpoint: vault.url,
    mount: 'secret',
    pathPrefix: 'pipeline-portal/credentials',
    requestTimeoutMs: 5000,
    auth,
  });
  const open = async (auth: VaultSecretStoreOptions['auth']) => {
    const store = await VaultSecretStore.fromOptions(options(auth));
    stores.push(store);
    return store;
  };
  const loginsAt = (path: string) =>
    vault.requests.filter(r => r.path === path && r.status === 200).length;

  beforeAll(async () => {
    vault = await startVault({
      policies: {
        portal: PORTAL_POLICY.map(r => ({
          path: r.path,
          capabilities: [...r.capabilities],
        })),
      },
      approle: {
        roles: {
          portal: {
            secretIds: ['approle-secret-id'],
            policies: ['portal'],
            ttl: 600,
          },
        },
      },
      kubernetes: {
        roles: {
          portal: {
            boundServiceAccountNames: ['backstage'],
            boundServiceAccountNamespaces: ['portal'],
            policies: ['portal'],
            ttl: 600,
          },
        },
      },
    });
    dir = mkdtempSync(join(tmpdir(), 'vault-store-'));
  });

  afterAll(async () => {
    await Promise.all(stores.map(s => s.close()));
    await vault.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('round-trips a secret under <prefix>/<owner>/<name> with kind in custom metadata', async () => {
    const store = await open({ method: 'token', token: vault.rootToken });
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
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    await expect(
      store.get({ owner: OWNER, name: 'prod-aws' }),
    ).resolves.toEqual(put);

    const path = 'pipeline-portal/credentials/group~default~payments/prod-aws';
    expect(vault.kv().read(path).data).toMatchObject({
      kind: 'aws',
      value: AWS,
    });
    expect(vault.kv().metadata(path).custom_metadata).toEqual({
      kind: 'aws',
      owner: OWNER,
      name: 'prod-aws',
    });
    await expect(
      store.get({ owner: OWNER, name: 'missing' }),
    ).resolves.toBeUndefined();

    const invalid = store.put({
      owner: OWNER,
      name: 'bad',
      kind: 'digitalocean',
      value: { token: 'tiny-s3cr3t' },
    });
    await expect(invalid).rejects.toBeInstanceOf(InputError);
    await expect(invalid).rejects.toThrow(/^value\.token: /);
    await expect(invalid).rejects.not.toThrow(/tiny-s3cr3t/);
  });

  it('creates with check-and-set: a concurrent create gets ConflictError', async () => {
    const store = await open({ method: 'token', token: vault.rootToken });
    const attempt = (token: string) =>
      store.put({
        owner: OWNER,
        name: 'race',
        kind: 'digitalocean',
        value: { token },
      });
    const results = await Promise.allSettled([
      attempt(`${DO_TOKEN}-a`),
      attempt(`${DO_TOKEN}-b`),
    ]);
    const rejected = results.filter(r => r.status === 'rejected');
    expect(results.filter(r => r.status === 'fulfilled')).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    const reason = (rejected[0] as PromiseRejectedResult).reason;
    expect(reason).toBeInstanceOf(ConflictError);
    expect(reason.message).toBe(`secret race of ${OWNER} already exists`);
    expect(reason.message).not.toContain(DO_TOKEN);

    const before = (await store.get({ owner: OWNER, name: 'race' }))!;
    const overwritten = await store.put(
      {
        owner: OWNER,
        name: 'race',
        kind: 'digitalocean',
        value: { token: `${DO_TOKEN}-c` },
      },
      { overwrite: true },
    );
    expect(overwritten.createdAt).toBe(before.createdAt);
    expect((await store.get({ owner: OWNER, name: 'race' }))?.value).toEqual({
      token: `${DO_TOKEN}-c`,
    });
    // The overwrite checked-and-set against the version it read.
    const writes = vault.requests.filter(
      r =>
        r.method === 'POST' &&
        r.path.endsWith(
          '/data/pipeline-portal/credentials/group~default~payments/race',
        ),
    );
    expect(writes.map(w => w.status)).toEqual([200, 400, 200]);
  });

  it('lists summaries from metadata, never values', async () => {
    const store = await open({ method: 'token', token: vault.rootToken });
    await store.put({
      owner: 'group:default/search',
      name: 'kc',
      kind: 'kubeconfig',
      value: { kubeconfig: 'apiVersion: v1' },
    });
    const dataReads = () =>
      vault.requests.filter(
        r => r.method === 'GET' && r.path.startsWith('/v1/secret/data/'),
      ).length;
    const readsBefore = dataReads();
    const all = await store.list();
    // Listing reads metadata only, never secret data.
    expect(dataReads()).toBe(readsBefore);
    expect(all.map(s => `${s.owner}/${s.name}:${s.kind}`)).toEqual([
      `${OWNER}/prod-aws:aws`,
      `${OWNER}/race:digitalocean`,
      'group:default/search/kc:kubeconfig',
    ]);
    expect(all[0]).toEqual({
      owner: OWNER,
      name: 'prod-aws',
      kind: 'aws',
      createdAt: expect.stringMatching(/^\d{4}-/),
    });
    const text = JSON.stringify(all);
    expect(text).not.toContain(AWS.secretAccessKey);
    expect(text).not.toContain(DO_TOKEN);
    expect((await store.list({ owner: 'search' })).map(s => s.name)).toEqual([
      'kc',
    ]);
    expect(
      (await store.list({ kinds: ['aws', 'kubeconfig'] })).map(s => s.name),
    ).toEqual(['prod-aws', 'kc']);
    await expect(
      store.list({ owner: 'group:default/nobody' }),
    ).resolves.toEqual([]);
  });

  it('deletes every version', async () => {
    const store = await open({ method: 'token', token: vault.rootToken });
    await expect(store.delete({ owner: OWNER, name: 'race' })).resolves.toBe(
      true,
    );
    await expect(store.delete({ owner: OWNER, name: 'race' })).resolves.toBe(
      false,
    );
    await expect(
      store.get({ owner: OWNER, name: 'race' }),
    ).resolves.toBeUndefined();
    expect(() =>
      vault
        .kv()
        .metadata('pipeline-portal/credentials/group~default~payments/race'),
    ).toThrow();
    // A name freed by delete can be created again (cas 0 holds).
    await store.put({
      owner: OWNER,
      name: 'race',
      kind: 'digitalocean',
      value: { token: DO_TOKEN },
    });
  });

  it('deletes only a secret of the kinds asked for', async () => {
    const store = await open({ method: 'token', token: vault.rootToken });
    const kubeconfig = { kubeconfig: 'apiVersion: v1\nkind: Config' };
    await store.put({
      owner: OWNER,
      name: 'cluster-apps-kubeconfig',
      kind: 'kubeconfig',
      value: kubeconfig,
    });
    const ref = { owner: OWNER, name: 'cluster-apps-kubeconfig' };
    await expect(store.delete(ref, { kinds: ['aws'] })).resolves.toBe(false);
    expect((await store.get(ref))?.value).toEqual(kubeconfig);
    expect(
      vault
        .kv()
        .metadata(
          'pipeline-portal/credentials/group~default~payments/cluster-apps-kubeconfig',
        ),
    ).toBeDefined();
    await expect(
      store.delete({ owner: OWNER, name: 'nope' }, { kinds: ['aws'] }),
    ).resolves.toBe(false);
    await expect(store.delete(ref, { kinds: ['kubeconfig'] })).resolves.toBe(
      true,
    );
    await expect(store.get(ref)).resolves.toBeUndefined();
  });

  it('renews a renewable token at two thirds of its TTL', async () => {
    const token = vault.createToken({ policies: ['portal'], ttl: 6 });
    const store = await open({ method: 'token', token });
    const renewals = () =>
      vault.requests.filter(
        r => r.path === '/v1/auth/token/renew-self' && r.status === 200,
      ).length;
    const before = renewals();
    const started = Date.now();
    await waitFor(() => renewals() > before, 10_000);
    const elapsed = Date.now() - started;
    // Two thirds of 6 s: after 4 s, and before the token would expire.
    expect(elapsed).toBeGreaterThan(3_500);
    expect(elapsed).toBeLessThan(6_000);
    // Past the original expiry the token still works: it was renewed.
    vault.clock.advance(3);
    await expect(
      store.get({ owner: OWNER, name: 'prod-aws' }),
    ).resolves.toMatchObject({ kind: 'aws' });
    // Closing clears the timer: no renewal follows.
    await store.close();
    const afterClose = renewals();
    await new Promise(r => setTimeout(r, 1500));
    expect(renewals()).toBe(afterClose);
  });

  it('logs in again with AppRole when the token expired, and retries', async () => {
    const store = await open({
      method: 'approle',
      roleId: vault.roleId('portal'),
      secretId: 'approle-secret-id',
      mountPath: 'approle',
    });
    const login = '/v1/auth/approle/login';
    const loginsBefore = loginsAt(login);
    await store.put({
      owner: OWNER,
      name: 'approle',
      kind: 'digitalocean',
      value: { token: DO_TOKEN },
    });
    expect(loginsAt(login)).toBe(loginsBefore);

    vault.clock.advance(601);
    const requestsBefore = vault.requests.length;
    await expect(
      store.get({ owner: OWNER, name: 'approle' }),
    ).resolves.toMatchObject({ value: { token: DO_TOKEN } });
    expect(loginsAt(login)).toBe(loginsBefore + 1);
    const dataPath = `/v1/secret/data/pipeline-portal/credentials/group~default~payments/approle`;
    expect(
      vault.requests
        .slice(requestsBefore)
        .map(r => `${r.path === dataPath ? 'read' : r.path} ${r.status}`),
    ).toEqual(['read 403', `${login} 200`, 'read 200']);
  });

  it('logs in again with Kubernetes auth when the token expired, and retries', async () => {
    const jwtPath = join(dir, 'token');
    writeFileSync(jwtPath, unsignedServiceAccountJwt('backstage', 'portal'));
    const store = await open({
      method: 'kubernetes',
      role: 'portal',
      jwtPath,
      mountPath: 'kubernetes',
    });
    const login = '/v1/auth/kubernetes/login';
    expect(loginsAt(login)).toBe(1);
    vault.clock.advance(601);
    await expect(store.list({ owner: OWNER })).resolves.toHaveLength(3);
    expect(loginsAt(login)).toBe(2);
  });

  it('maps a Vault 503 to ServiceUnavailableError without secret values', async () => {
    const store = await open({ method: 'token', token: vault.rootToken });
    vault.faults.add({
      path: '/v1/secret/data/pipeline-portal',
      status: 503,
      times: 2,
    });
    const write = store.put({
      owner: OWNER,
      name: 'sealed',
      kind: 'aws',
      value: AWS,
    });
    await expect(write).rejects.toBeInstanceOf(ServiceUnavailableError);
    const message = await write.catch(e => e.message);
    expect(message).toBe(
      `Vault could not write secret sealed of ${OWNER}: Vault answered 503 (Vault is sealed)`,
    );
    const read = store.get({ owner: OWNER, name: 'prod-aws' });
    await expect(read).rejects.toBeInstanceOf(ServiceUnavailableError);
    const readMessage = await read.catch(e => e.message);
    for (const value of [...Object.values(AWS), DO_TOKEN, vault.rootToken]) {
      expect(message).not.toContain(value);
      expect(readMessage).not.toContain(value);
    }
  });

  it('reports an unreachable Vault by error code', async () => {
    const store = await VaultSecretStore.fromOptions({
      ...options({ method: 'token', token: 'hvs.unused' }),
      endpoint: 'http://127.0.0.1:1',
    });
    stores.push(store);
    await expect(store.get({ owner: OWNER, name: 'x' })).rejects.toThrow(
      /^Vault could not read secret at .*: no answer from Vault \(ECONNREFUSED\)$/,
    );
  });
});

describe('readVaultConfig', () => {
  const read = (vault: JsonValue) =>
    readVaultConfig(
      new ConfigReader({
        pipelinePortal: { clusters: { secrets: { vault } } },
      }),
    );

  it('applies defaults', () => {
    expect(
      read({
        endpoint: 'https://vault:8200',
        auth: { kubernetes: { role: 'portal' } },
      }),
    ).toEqual({
      endpoint: 'https://vault:8200',
      mount: 'secret',
      pathPrefix: 'pipeline-portal/credentials',
      requestTimeoutMs: 10000,
      auth: {
        method: 'kubernetes',
        role: 'portal',
        jwtPath: '/var/run/secrets/kubernetes.io/serviceaccount/token',
        mountPath: 'kubernetes',
      },
    });
  });

  it('names the key at fault', () => {
    expect(() => readVaultConfig(new ConfigReader({}))).toThrow(
      /^pipelinePortal\.clusters\.secrets\.vault is required/,
    );
    expect(() => read({ auth: { token: 't' } })).toThrow(
      /^pipelinePortal\.clusters\.secrets\.vault\.endpoint must be/,
    );
    expect(() => read({ endpoint: 'https://v', auth: {} })).toThrow(
      /vault\.auth must set exactly one of token, kubernetes or approle$/,
    );
    expect(() =>
      read({
        endpoint: 'https://v',
        auth: { token: 't', approle: { roleId: 'r', secretId: 's' } },
      }),
    ).toThrow(/\(found token, approle\)/);
    expect(() =>
      read({ endpoint: 'https://v', auth: { approle: { roleId: 'r' } } }),
    ).toThrow(
      /^pipelinePortal\.clusters\.secrets\.vault\.auth\.approle\.secretId is required$/,
    );
    expect(() =>
      read({ endpoint: 'https://v', pathPrefix: '/x/', auth: { token: 't' } }),
    ).toThrow(/vault\.pathPrefix must be/);
  });
});
