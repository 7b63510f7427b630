import { generateKeyPairSync, sign } from 'node:crypto';
import { startVault, VaultDouble } from './index';

// node-vault is CommonJS without ES module typings worth importing.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const nodeVault = require('node-vault');

type Client = ReturnType<typeof nodeVault>;

const client = (v: VaultDouble, token?: string): Client =>
  nodeVault({ endpoint: v.url, token, apiVersion: 'v1' });

const failure = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e: any) {
    return {
      status: e.response?.statusCode as number,
      message: e.message as string,
      body: e.response?.body,
    };
  }
  throw new Error('expected the call to fail');
};

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

/** A Kubernetes projected service account token (signed when a key is given). */
function serviceAccountJwt(
  name: string,
  namespace: string,
  key?: Parameters<typeof sign>[2],
) {
  const head = b64({ alg: 'RS256', typ: 'JWT' });
  const body = b64({
    iss: 'https://kubernetes.default.svc',
    sub: `system:serviceaccount:${namespace}:${name}`,
    // Far enough ahead for the tests that move the clock forward.
    exp: Math.floor(Date.now() / 1000) + 86400,
    'kubernetes.io': { namespace, serviceaccount: { name, uid: 'uid-1' } },
  });
  const sig = key
    ? sign('sha256', Buffer.from(`${head}.${body}`), key).toString('base64url')
    : 'unsigned';
  return `${head}.${body}.${sig}`;
}

describe('Vault double with node-vault', () => {
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let vault: VaultDouble;
  let root: Client;

  beforeAll(async () => {
    vault = await startVault({
      kvMounts: ['secret', 'kv/team'],
      policies: {
        'app-read': [
          { path: 'secret/data/app/*', capabilities: ['read'] },
          { path: 'secret/metadata/app/*', capabilities: ['list', 'read'] },
        ],
      },
      kubernetes: {
        roles: {
          portal: {
            boundServiceAccountNames: ['portal'],
            boundServiceAccountNamespaces: ['backstage'],
            policies: ['app-read'],
            ttl: '1h',
          },
        },
        jwtPublicKey: keys.publicKey
          .export({ type: 'spki', format: 'pem' })
          .toString(),
      },
      approle: {
        roles: {
          ci: { secretIds: ['s3cr3t'], policies: ['app-read'], ttl: 600 },
        },
      },
    });
    root = client(vault, vault.rootToken);
  });

  afterAll(() => vault.close());

  it('writes, reads and versions KV v2 secrets in Vault response shapes', async () => {
    const w1 = await root.write('secret/data/app/db', {
      data: { password: 'one' },
    });
    expect(w1.data).toMatchObject({
      version: 1,
      destroyed: false,
      deletion_time: '',
      custom_metadata: null,
    });
    expect(w1).toMatchObject({
      lease_id: '',
      renewable: false,
      lease_duration: 0,
      wrap_info: null,
      warnings: null,
      auth: null,
    });
    expect(typeof w1.request_id).toBe('string');
    await root.write('secret/data/app/db', { data: { password: 'two' } });

    const latest = await root.read('secret/data/app/db');
    expect(latest.data.data).toEqual({ password: 'two' });
    expect(latest.data.metadata).toMatchObject({
      version: 2,
      destroyed: false,
      deletion_time: '',
    });
    expect(latest.data.metadata.created_time).toMatch(/^\d{4}-\d\d-\d\dT/);

    const v1 = await root.read('secret/data/app/db?version=1');
    expect(v1.data.data).toEqual({ password: 'one' });

    const meta = await root.read('secret/metadata/app/db');
    expect(meta.data).toMatchObject({
      current_version: 2,
      oldest_version: 1,
      max_versions: 0,
      cas_required: false,
    });
    expect(Object.keys(meta.data.versions)).toEqual(['1', '2']);

    expect(await failure(root.read('secret/data/app/missing'))).toMatchObject({
      status: 404,
      body: { errors: [] },
    });
  });

  it('enforces check-and-set', async () => {
    await root.write('secret/data/cas', {
      data: { a: 1 },
      options: { cas: 0 },
    });
    const err = await failure(
      root.write('secret/data/cas', { data: { a: 2 }, options: { cas: 0 } }),
    );
    expect(err).toMatchObject({
      status: 400,
      message: 'check-and-set parameter did not match the current version',
    });
    await root.write('secret/data/cas', {
      data: { a: 2 },
      options: { cas: 1 },
    });

    await root.write('secret/metadata/cas', {
      cas_required: true,
      custom_metadata: { owner: 'team-a' },
    });
    const required = await failure(
      root.write('secret/data/cas', { data: { a: 3 } }),
    );
    expect(required).toMatchObject({
      status: 400,
      message: 'check-and-set parameter required for this call',
    });
    const meta = await root.read('secret/metadata/cas');
    expect(meta.data).toMatchObject({
      cas_required: true,
      custom_metadata: { owner: 'team-a' },
      current_version: 2,
    });
  });

  it('soft-deletes, undeletes and destroys versions', async () => {
    await root.write('secret/data/cycle', { data: { v: 1 } });
    await root.write('secret/data/cycle', { data: { v: 2 } });

    await root.delete('secret/data/cycle');
    const deleted = await failure(root.read('secret/data/cycle'));
    expect(deleted.status).toBe(404);
    expect(deleted.body.data.metadata.deletion_time).not.toBe('');

    await root.write('secret/undelete/cycle', { versions: [2] });
    expect((await root.read('secret/data/cycle')).data.data).toEqual({ v: 2 });

    await root.write('secret/delete/cycle', { versions: [1] });
    expect(
      (await failure(root.read('secret/data/cycle?version=1'))).status,
    ).toBe(404);

    await root.write('secret/destroy/cycle', { versions: [2] });
    const destroyed = await failure(root.read('secret/data/cycle'));
    expect(destroyed.body.data.metadata.destroyed).toBe(true);
    await root.write('secret/undelete/cycle', { versions: [2] });
    expect((await failure(root.read('secret/data/cycle'))).status).toBe(404);

    expect(
      (await failure(root.write('secret/destroy/cycle', {}))).message,
    ).toBe('no version number provided');

    await root.delete('secret/metadata/cycle');
    expect((await failure(root.read('secret/metadata/cycle'))).status).toBe(
      404,
    );
  });

  it('lists keys with the LIST verb and with ?list=true, on several mounts', async () => {
    await root.write('kv/team/data/svc/a', { data: { x: 1 } });
    await root.write('kv/team/data/svc/nested/b', { data: { x: 1 } });
    const listed = await root.list('kv/team/metadata/svc');
    expect(listed.data.keys).toEqual(['a', 'nested/']);
    const viaGet = await client(vault, vault.rootToken).read(
      'kv/team/metadata/svc?list=true',
    );
    expect(viaGet.data.keys).toEqual(['a', 'nested/']);
    expect((await failure(root.list('kv/team/metadata/none'))).status).toBe(
      404,
    );
    const mounts = await root.read('sys/mounts');
    expect(Object.keys(mounts.data)).toEqual(
      expect.arrayContaining(['secret/', 'kv/team/']),
    );
  });

  it('rejects unknown tokens and paths outside the policy with 403', async () => {
    expect(
      await failure(client(vault, 'hvs.nope').read('secret/data/app/db')),
    ).toMatchObject({
      status: 403,
      body: { errors: ['permission denied'] },
    });
    const limited = client(
      vault,
      vault.createToken({ policies: ['app-read'], ttl: 60 }),
    );
    expect((await limited.read('secret/data/app/db')).data.data).toEqual({
      password: 'two',
    });
    expect(
      (await failure(limited.write('secret/data/app/db', { data: {} }))).status,
    ).toBe(403);
    expect((await failure(limited.read('secret/data/cas'))).status).toBe(403);
  });

  it('looks up, renews and expires tokens on a controllable clock', async () => {
    const t = client(
      vault,
      vault.createToken({
        policies: ['app-read'],
        ttl: '30m',
        explicitMaxTtl: '1h',
      }),
    );
    const self = await t.tokenLookupSelf();
    expect(self.data).toMatchObject({
      ttl: 1800,
      creation_ttl: 1800,
      renewable: true,
      type: 'service',
    });
    expect(self.data.policies).toEqual(['app-read', 'default']);

    vault.clock.advance(20 * 60);
    const renewed = await t.tokenRenewSelf({ increment: '50m' });
    // Capped by the explicit max TTL: 60 - 20 = 40 minutes left.
    expect(renewed.auth.lease_duration).toBe(40 * 60);

    vault.clock.advance(41 * 60);
    expect(await failure(t.tokenLookupSelf())).toMatchObject({
      status: 403,
      message: 'permission denied',
    });

    const rootLookup = await root.tokenLookupSelf();
    expect(rootLookup.data).toMatchObject({
      policies: ['root'],
      ttl: 0,
      expire_time: null,
    });
    expect((await failure(root.tokenRenewSelf())).status).toBe(400);
  });

  it('creates child tokens within the parent policies and revokes them with the parent', async () => {
    // node-vault switches a client to the token it creates, so use fresh clients.
    const parentId = vault.createToken({ policies: ['app-read'], ttl: 3600 });
    const parent = () => client(vault, parentId);
    vault.setPolicy('creator', [
      { path: 'auth/token/create', capabilities: ['update'] },
    ]);
    const creatorId = vault.createToken({
      policies: ['app-read', 'creator'],
      ttl: 3600,
    });
    const creator = () => client(vault, creatorId);
    const child = await creator().tokenCreate({
      policies: ['app-read'],
      ttl: '10m',
    });
    expect(child.auth).toMatchObject({
      policies: ['app-read', 'default'],
      lease_duration: 600,
      renewable: true,
      orphan: false,
    });
    expect(
      (await failure(creator().tokenCreate({ policies: ['root'] }))).message,
    ).toBe('child policies must be subset of parent');
    expect((await failure(parent().tokenCreate({ ttl: '1m' }))).status).toBe(
      403,
    );

    const childClient = client(vault, child.auth.client_token);
    await childClient.tokenLookupSelf();
    await creator().write('auth/token/revoke-self', {});
    expect((await failure(childClient.tokenLookupSelf())).status).toBe(403);
    expect((await failure(creator().tokenLookupSelf())).status).toBe(403);
  });

  it('logs in with Kubernetes service account JWTs', async () => {
    // node-vault 0.12 does not fill its `kubernetesPath` into the login URL
    // (it requests `auth//login`), so the mount is passed explicitly.
    const k8s = (role: string, jwt: string) =>
      client(vault).kubernetesLogin({ role, jwt, mount_point: 'kubernetes' });
    const res = await k8s(
      'portal',
      serviceAccountJwt('portal', 'backstage', keys.privateKey),
    );
    expect(res.auth).toMatchObject({
      policies: ['app-read', 'default'],
      lease_duration: 3600,
      renewable: true,
      metadata: {
        role: 'portal',
        service_account_name: 'portal',
        service_account_namespace: 'backstage',
      },
    });
    const logged = client(vault, res.auth.client_token);
    expect((await logged.read('secret/data/app/db')).data.data.password).toBe(
      'two',
    );

    const wrongNs = await failure(
      k8s('portal', serviceAccountJwt('portal', 'default', keys.privateKey)),
    );
    expect(wrongNs).toMatchObject({
      status: 403,
      message: 'namespace not authorized',
    });
    const wrongSa = await failure(
      k8s('portal', serviceAccountJwt('other', 'backstage', keys.privateKey)),
    );
    expect(wrongSa).toMatchObject({
      status: 403,
      message: 'service account name not authorized',
    });
    const forged = await failure(
      k8s('portal', serviceAccountJwt('portal', 'backstage')),
    );
    expect(forged.status).toBe(403);
    const noRole = await failure(
      k8s('nope', serviceAccountJwt('portal', 'backstage', keys.privateKey)),
    );
    expect(noRole).toMatchObject({
      status: 400,
      message: 'invalid role name "nope"',
    });
  });

  it('logs in with AppRole and generates secret IDs', async () => {
    const roleId = (await root.read('auth/approle/role/ci/role-id')).data
      .role_id;
    expect(roleId).toBe(vault.roleId('ci'));
    const res = await client(vault).approleLogin({
      role_id: roleId,
      secret_id: 's3cr3t',
    });
    expect(res.auth).toMatchObject({
      policies: ['app-read', 'default'],
      lease_duration: 600,
      renewable: true,
      metadata: { role_name: 'ci' },
    });
    expect(
      await failure(
        client(vault).approleLogin({ role_id: roleId, secret_id: 'wrong' }),
      ),
    ).toMatchObject({
      status: 400,
      message: 'invalid role or secret ID',
    });
    const generated = (await root.write('auth/approle/role/ci/secret-id', {}))
      .data.secret_id;
    expect(
      (
        await client(vault).approleLogin({
          role_id: roleId,
          secret_id: generated,
        })
      ).auth.client_token,
    ).toMatch(/^hvs\./);
  });

  it('reports health like Vault: 200 active, 429 standby, 503 sealed', async () => {
    const healthy = await root.health();
    expect(healthy).toMatchObject({
      initialized: true,
      sealed: false,
      standby: false,
      performance_standby: false,
    });
    expect(typeof healthy.version).toBe('string');

    vault.health.standby = true;
    const standby = await fetch(`${vault.url}/v1/sys/health`);
    expect(standby.status).toBe(429);
    expect(
      (await fetch(`${vault.url}/v1/sys/health?standbyok=true`)).status,
    ).toBe(200);
    vault.health.standby = false;

    vault.health.sealed = true;
    const sealed = await fetch(`${vault.url}/v1/sys/health`);
    expect(sealed.status).toBe(503);
    expect(await sealed.json()).toMatchObject({ sealed: true });
    expect(await failure(root.read('secret/data/app/db'))).toMatchObject({
      status: 503,
      message: 'Vault is sealed',
    });
    vault.health.sealed = false;
  });

  it('injects faults and logs requests', async () => {
    vault.faults.add({ path: '/v1/secret/data/app/db', status: 500, times: 1 });
    expect((await failure(root.read('secret/data/app/db'))).status).toBe(500);
    expect((await root.read('secret/data/app/db')).data.data.password).toBe(
      'two',
    );

    vault.faults.add({
      path: /\/v1\/secret\/data\/slow/,
      method: 'GET',
      latencyMs: 150,
      times: 1,
    });
    await root.write('secret/data/slow', { data: { a: 1 } });
    const started = Date.now();
    await root.read('secret/data/slow');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);

    const remove = vault.faults.add({
      path: '/v1/secret/data/drop',
      drop: true,
    });
    expect((await failure(root.read('secret/data/drop'))).message).toMatch(
      /socket hang up|ECONNRESET/,
    );
    remove();

    const last = vault.requests.filter(r => r.path === '/v1/secret/data/slow');
    expect(last[last.length - 1]).toMatchObject({ method: 'GET', status: 200 });
    expect(last[last.length - 1].ms).toBeGreaterThanOrEqual(140);
    expect(vault.requests.some(r => r.method === 'LIST')).toBe(true);
  });
});
