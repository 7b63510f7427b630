import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Faults, RequestLog, RequestLogEntry } from '../github/faults';
import {
  AppRole,
  appRoleState,
  AppRoleState,
  checkKubernetesRole,
  KubernetesRole,
  publicKey,
  serviceAccountFromJwt,
} from './auth';
import { KvEngine, VaultError } from './kv';
import { createListAwareServer } from './listMethod';
import { allowed, Capability, PolicyRule, PolicySet } from './policies';
import { Clock, parseDuration, TokenRecord, TokenStore } from './tokens';

export interface VaultFault {
  /** Matched against the request path (e.g. `/v1/secret/data/app`). */
  path: RegExp | string;
  method?: string;
  latencyMs?: number;
  status?: 500 | 502 | 503;
  drop?: boolean;
  times?: number;
}

export interface VaultDoubleOptions {
  port?: number;
  /** Root token id (random `hvs.` token when omitted). */
  rootToken?: string;
  /** KV version 2 mounts (default `['secret']`). */
  kvMounts?: string[];
  /** Named ACL policies (the built-in `default` and `root` always exist). */
  policies?: PolicySet;
  /** System max TTL for tokens (default `768h`). */
  maxTtl?: number | string;
  kubernetes?: {
    roles: Record<string, KubernetesRole>;
    /** PEM public key; when set, JWT signatures are verified (RS256/ES256). */
    jwtPublicKey?: string;
    /** Auth mount path (default `kubernetes`). */
    mount?: string;
  };
  approle?: { roles: Record<string, AppRole>; mount?: string };
  /** Reported by `sys/health`. */
  version?: string;
  maxLogEntries?: number;
}

export interface VaultHealthState {
  initialized: boolean;
  sealed: boolean;
  standby: boolean;
}

export interface VaultDouble {
  /** Address for clients, e.g. `http://127.0.0.1:PORT` (no `/v1`). */
  url: string;
  rootToken: string;
  /** Move time forward to expire tokens without waiting. */
  clock: Clock;
  /** Flip to seal the double (503) or make it a standby (429 on health). */
  health: VaultHealthState;
  /** The KV v2 engine behind a mount, for seeding and assertions. */
  kv(mount?: string): KvEngine;
  setPolicy(name: string, rules: PolicyRule[]): void;
  /** Issues a token directly (ttl in seconds or a duration). */
  createToken(options: {
    policies: string[];
    ttl?: number | string;
    renewable?: boolean;
    explicitMaxTtl?: number | string;
  }): string;
  revokeToken(id: string): void;
  /** Role ID of an AppRole role. */
  roleId(role: string): string;
  faults: Faults<VaultFault>;
  readonly requests: RequestLogEntry[];
  close(): Promise<void>;
}

interface Ctx {
  method: string;
  /** Path below `/v1/`, without query. */
  path: string;
  query: URLSearchParams;
  body: Record<string, any>;
  token?: TokenRecord;
}

type Result = { status: number; body?: unknown };

const envelope = (extra: Record<string, unknown>) => ({
  request_id: randomUUID(),
  lease_id: '',
  renewable: false,
  lease_duration: 0,
  data: null,
  wrap_info: null,
  warnings: null,
  auth: null,
  ...extra,
});

const rfc3339 = (ms: number) =>
  new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function readJson(req: IncomingMessage): Promise<Record<string, any>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('error', reject);
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8').trim();
      if (!raw) {
        resolve({});
        return;
      }
      try {
        const parsed = JSON.parse(raw);
        resolve(parsed && typeof parsed === 'object' ? parsed : {});
      } catch {
        reject(
          new VaultError(400, 'failed to parse JSON input: invalid character'),
        );
      }
    });
  });
}

const versionsOf = (body: Record<string, any>): number[] => {
  const v = body.versions;
  if (!Array.isArray(v) || !v.length)
    throw new VaultError(400, 'no version number provided');
  return v.map(Number);
};

export async function startVault(
  options: VaultDoubleOptions = {},
): Promise<VaultDouble> {
  const clock = new Clock();
  const maxTtl = parseDuration(options.maxTtl ?? '768h')!;
  const tokens = new TokenStore(clock, maxTtl);
  const rootToken =
    options.rootToken ?? `hvs.${randomBytes(18).toString('base64url')}`;
  tokens.createRoot(rootToken);
  const policies: PolicySet = { ...options.policies };
  const mounts = new Map<string, KvEngine>();
  for (const m of options.kvMounts ?? ['secret'])
    mounts.set(m.replace(/^\/|\/$/g, ''), new KvEngine(clock));
  const health: VaultHealthState = {
    initialized: true,
    sealed: false,
    standby: false,
  };
  const faults = new Faults<VaultFault>();
  const log = new RequestLog(options.maxLogEntries);
  const k8sMount = options.kubernetes?.mount ?? 'kubernetes';
  const k8sKey = publicKey(options.kubernetes?.jwtPublicKey);
  const approleMount = options.approle?.mount ?? 'approle';
  const appRoles = new Map<string, AppRoleState>(
    Object.entries(options.approle?.roles ?? {}).map(([name, r]) => [
      name,
      appRoleState(name, r),
    ]),
  );
  const clusterId = randomUUID();

  const authBlock = (
    t: TokenRecord,
    metadata: Record<string, string> | null,
  ) => ({
    client_token: t.id,
    accessor: t.accessor,
    policies: t.policies,
    token_policies: t.policies,
    metadata,
    lease_duration: tokens.ttl(t),
    renewable: t.renewable,
    entity_id: t.entityId,
    token_type: 'service',
    orphan: t.orphan,
    mfa_requirement: null,
    num_uses: t.numUses,
  });

  const lookup = (t: TokenRecord) => ({
    accessor: t.accessor,
    creation_time: Math.floor(t.issueTime / 1000),
    creation_ttl: t.creationTtl,
    display_name: t.displayName,
    entity_id: t.entityId,
    expire_time: t.expireTime ? rfc3339(t.expireTime) : null,
    explicit_max_ttl: t.explicitMaxTtl,
    id: t.id,
    issue_time: rfc3339(t.issueTime),
    meta: t.meta,
    num_uses: t.numUses,
    orphan: t.orphan,
    path: t.path,
    policies: t.policies,
    renewable: t.renewable,
    ttl: tokens.ttl(t),
    type: 'service',
  });

  const need = (ctx: Ctx, path: string, caps: Capability[]) => {
    if (!ctx.token || !allowed(policies, ctx.token.policies, path, caps)) {
      throw new VaultError(403, 'permission denied');
    }
  };

  const write = (m: string): Capability[] =>
    m === 'POST' || m === 'PUT' ? ['create', 'update'] : [];
  const READ_CAPS: Record<string, Capability[]> = {
    GET: ['read'],
    LIST: ['list'],
    DELETE: ['delete'],
  };
  const capFor = (m: string): Capability[] => READ_CAPS[m] ?? write(m);

  const kvRoute = (ctx: Ctx, kv: KvEngine, rest: string): Result => {
    const slash = rest.indexOf('/');
    const op = slash < 0 ? rest : rest.slice(0, slash);
    const key = slash < 0 ? '' : rest.slice(slash + 1).replace(/\/$/, '');
    const m = ctx.method;
    need(ctx, ctx.path.replace(/\/$/, ''), capFor(m));
    const kvEnvelope = (data: unknown) => envelope({ data, mount_type: 'kv' });
    const isWrite = m === 'POST' || m === 'PUT';
    switch (op) {
      case 'data': {
        if (m === 'GET') {
          const version = ctx.query.get('version');
          return {
            status: 200,
            body: kvEnvelope(
              kv.read(key, version ? Number(version) : undefined),
            ),
          };
        }
        if (isWrite) {
          if (!ctx.body.data || typeof ctx.body.data !== 'object')
            throw new VaultError(400, 'no data provided');
          const cas = ctx.body.options?.cas;
          const { secret, version } = kv.write(
            key,
            ctx.body.data,
            cas === undefined ? undefined : Number(cas),
          );
          const v = secret.versions.get(version)!;
          return {
            status: 200,
            body: kvEnvelope({
              created_time: v.createdTime,
              custom_metadata: secret.customMetadata,
              deletion_time: '',
              destroyed: false,
              version,
            }),
          };
        }
        if (m === 'DELETE') {
          kv.softDelete(key);
          return { status: 204 };
        }
        break;
      }
      case 'delete':
        if (isWrite) {
          kv.softDelete(key, versionsOf(ctx.body));
          return { status: 204 };
        }
        break;
      case 'undelete':
        if (isWrite) {
          kv.undelete(key, versionsOf(ctx.body));
          return { status: 204 };
        }
        break;
      case 'destroy':
        if (isWrite) {
          kv.destroy(key, versionsOf(ctx.body));
          return { status: 204 };
        }
        break;
      case 'metadata': {
        if (m === 'LIST') {
          const keys = kv.list(key);
          if (!keys.length) throw new VaultError(404);
          return { status: 200, body: kvEnvelope({ keys }) };
        }
        if (m === 'GET')
          return { status: 200, body: kvEnvelope(kv.metadata(key)) };
        if (isWrite) {
          const b = ctx.body;
          kv.writeMetadata(key, {
            maxVersions:
              b.max_versions === undefined ? undefined : Number(b.max_versions),
            casRequired:
              b.cas_required === undefined
                ? undefined
                : Boolean(b.cas_required),
            customMetadata: b.custom_metadata,
            deleteVersionAfter: b.delete_version_after,
          });
          return { status: 204 };
        }
        if (m === 'DELETE') {
          kv.deleteAll(key);
          return { status: 204 };
        }
        break;
      }
      case 'config':
        if (m === 'GET') {
          return {
            status: 200,
            body: kvEnvelope({
              cas_required: kv.config.casRequired,
              delete_version_after: kv.config.deleteVersionAfter,
              max_versions: kv.config.maxVersions,
            }),
          };
        }
        if (isWrite) {
          if (ctx.body.max_versions !== undefined)
            kv.config.maxVersions = Number(ctx.body.max_versions);
          if (ctx.body.cas_required !== undefined)
            kv.config.casRequired = Boolean(ctx.body.cas_required);
          return { status: 204 };
        }
        break;
      default:
        throw new VaultError(
          404,
          `1 error occurred:\n\t* unsupported path\n\n`,
        );
    }
    throw new VaultError(405);
  };

  const tokenRoute = (ctx: Ctx, op: string): Result => {
    const m = ctx.method;
    const t = ctx.token;
    if (op === 'lookup-self' && (m === 'GET' || m === 'POST')) {
      need(ctx, 'auth/token/lookup-self', ['read', 'update']);
      return {
        status: 200,
        body: envelope({ data: lookup(t!), mount_type: 'token' }),
      };
    }
    if (m !== 'POST' && m !== 'PUT') throw new VaultError(405);
    switch (op) {
      case 'renew-self': {
        need(ctx, 'auth/token/renew-self', ['update']);
        if (!t!.renewable) throw new VaultError(400, 'lease is not renewable');
        tokens.renew(t!, parseDuration(ctx.body.increment));
        return {
          status: 200,
          body: envelope({ auth: authBlock(t!, t!.meta), mount_type: 'token' }),
        };
      }
      case 'revoke-self':
        need(ctx, 'auth/token/revoke-self', ['update']);
        tokens.revoke(t!.id);
        return { status: 204 };
      case 'create':
      case 'create-orphan': {
        need(ctx, `auth/token/${op}`, ['create', 'update']);
        const parent = t!;
        const b = ctx.body;
        const wanted: string[] = Array.isArray(b.policies)
          ? b.policies.map(String)
          : [...parent.policies];
        const isRoot = parent.policies.includes('root');
        if (
          !isRoot &&
          wanted.some(p => p !== 'default' && !parent.policies.includes(p))
        ) {
          throw new VaultError(400, 'child policies must be subset of parent');
        }
        const orphan = op === 'create-orphan' || b.no_parent === true;
        const child = tokens.issue({
          policies: wanted,
          ttl: parseDuration(b.ttl),
          explicitMaxTtl: parseDuration(b.explicit_max_ttl),
          path: `auth/token/${op}`,
          displayName: b.display_name ? `token-${b.display_name}` : 'token',
          meta: b.meta ?? null,
          renewable: b.renewable !== false,
          numUses: b.num_uses ? Number(b.num_uses) : 0,
          parent: orphan ? undefined : parent,
          id: isRoot && typeof b.id === 'string' ? b.id : undefined,
        });
        return {
          status: 200,
          body: envelope({
            auth: authBlock(child, child.meta),
            mount_type: 'token',
          }),
        };
      }
      case 'lookup': {
        need(ctx, 'auth/token/lookup', ['update']);
        const other = tokens.get(String(ctx.body.token ?? ''));
        if (!other) throw new VaultError(403, 'bad token');
        return {
          status: 200,
          body: envelope({ data: lookup(other), mount_type: 'token' }),
        };
      }
      case 'revoke':
        need(ctx, 'auth/token/revoke', ['update']);
        tokens.revoke(String(ctx.body.token ?? ''));
        return { status: 204 };
      default:
        throw new VaultError(404, 'unsupported path');
    }
  };

  const login = (
    policiesOf: string[],
    ttl: number | string | undefined,
    maxTtlOf: number | string | undefined,
    path: string,
    displayName: string,
    metadata: Record<string, string>,
  ): Result => {
    const t = tokens.issue({
      policies: policiesOf,
      ttl: parseDuration(ttl),
      explicitMaxTtl: parseDuration(maxTtlOf),
      path,
      displayName,
      meta: metadata,
    });
    return { status: 200, body: envelope({ auth: authBlock(t, metadata) }) };
  };

  const kubernetesLogin = (ctx: Ctx): Result => {
    const { role: roleName, jwt } = ctx.body;
    if (!roleName) throw new VaultError(400, 'missing role');
    if (!jwt) throw new VaultError(400, 'missing jwt');
    const role = options.kubernetes?.roles[roleName];
    if (!role) throw new VaultError(400, `invalid role name "${roleName}"`);
    const sa = serviceAccountFromJwt(String(jwt), k8sKey, clock.now());
    checkKubernetesRole(role, sa);
    return login(
      role.policies,
      role.ttl,
      role.maxTtl,
      `auth/${k8sMount}/login`,
      `${k8sMount}-${sa.namespace}-${sa.name}`,
      {
        role: roleName,
        service_account_name: sa.name,
        service_account_namespace: sa.namespace,
        service_account_secret_name: sa.secretName,
        service_account_uid: sa.uid,
      },
    );
  };

  const approleLogin = (ctx: Ctx): Result => {
    const { role_id: roleId, secret_id: secretId } = ctx.body;
    if (!roleId) throw new VaultError(400, 'missing role_id');
    const role = [...appRoles.values()].find(r => r.roleId === roleId);
    if (!role) throw new VaultError(400, 'invalid role or secret ID');
    if (role.bindSecretId !== false) {
      if (!secretId) throw new VaultError(400, 'missing secret_id');
      if (!role.secretIds.includes(String(secretId)))
        throw new VaultError(400, 'invalid role or secret ID');
    }
    return login(
      role.policies,
      role.ttl,
      role.maxTtl,
      `auth/${approleMount}/login`,
      approleMount,
      { role_name: role.name },
    );
  };

  const approleAdmin = (ctx: Ctx, name: string, op: string): Result => {
    const role = appRoles.get(name);
    need(ctx, ctx.path, capFor(ctx.method));
    if (!role) throw new VaultError(400, `role "${name}" does not exist`);
    if (op === 'role-id' && ctx.method === 'GET') {
      return {
        status: 200,
        body: envelope({ data: { role_id: role.roleId } }),
      };
    }
    if (op === 'secret-id' && (ctx.method === 'POST' || ctx.method === 'PUT')) {
      const secretId = randomUUID();
      role.secretIds.push(secretId);
      return {
        status: 200,
        body: envelope({
          data: {
            secret_id: secretId,
            secret_id_accessor: randomUUID(),
            secret_id_num_uses: 0,
            secret_id_ttl: 0,
          },
        }),
      };
    }
    throw new VaultError(405);
  };

  const healthRoute = (ctx: Ctx): Result => {
    const q = ctx.query;
    const code = (name: string, fallback: number) =>
      q.has(name) ? Number(q.get(name)) : fallback;
    let status = code('activecode', 200);
    if (!health.initialized) status = code('uninitcode', 501);
    else if (health.sealed) status = code('sealedcode', 503);
    else if (health.standby)
      status = q.get('standbyok') === 'true' ? 200 : code('standbycode', 429);
    const body = {
      initialized: health.initialized,
      sealed: health.sealed,
      standby: health.sealed || health.standby,
      performance_standby: false,
      replication_performance_mode: 'disabled',
      replication_dr_mode: 'disabled',
      server_time_utc: Math.floor(clock.now() / 1000),
      version: options.version ?? '1.17.2',
      enterprise: false,
      ...(health.sealed
        ? {}
        : { cluster_name: 'vault-cluster-double', cluster_id: clusterId }),
      echo_duration_ms: 0,
      clock_skew_ms: 0,
      replication_primary_canary_age_ms: 0,
      removed_from_cluster: false,
    };
    return { status, body: ctx.method === 'HEAD' ? undefined : body };
  };

  const route = (ctx: Ctx): Result => {
    const p = ctx.path;
    if (p === 'sys/health' && (ctx.method === 'GET' || ctx.method === 'HEAD'))
      return healthRoute(ctx);
    if (p === 'sys/seal-status' && ctx.method === 'GET') {
      return {
        status: 200,
        body: {
          type: 'shamir',
          initialized: health.initialized,
          sealed: health.sealed,
          t: 1,
          n: 1,
          progress: 0,
          nonce: '',
          version: options.version ?? '1.17.2',
          build_date: '2024-01-01T00:00:00Z',
          migration: false,
          recovery_seal: false,
          storage_type: 'inmem',
        },
      };
    }
    if (health.sealed) throw new VaultError(503, 'Vault is sealed');
    if (p === `auth/${k8sMount}/login` && options.kubernetes) {
      if (ctx.method !== 'POST' && ctx.method !== 'PUT')
        throw new VaultError(405);
      return kubernetesLogin(ctx);
    }
    if (p === `auth/${approleMount}/login` && options.approle) {
      if (ctx.method !== 'POST' && ctx.method !== 'PUT')
        throw new VaultError(405);
      return approleLogin(ctx);
    }
    if (!ctx.token) throw new VaultError(403, 'permission denied');
    if (p.startsWith('auth/token/'))
      return tokenRoute(ctx, p.slice('auth/token/'.length));
    const ar = new RegExp(
      `^auth/${approleMount}/role/([^/]+)/(role-id|secret-id)$`,
    ).exec(p);
    if (ar && options.approle) return approleAdmin(ctx, ar[1], ar[2]);
    if (p === 'sys/mounts' && ctx.method === 'GET') {
      need(ctx, 'sys/mounts', ['read']);
      const data: Record<string, unknown> = {};
      for (const m of mounts.keys()) {
        data[`${m}/`] = {
          type: 'kv',
          description: 'key/value secret storage',
          options: { version: '2' },
          accessor: `kv_${m}`,
          config: { default_lease_ttl: 0, max_lease_ttl: 0 },
          local: false,
          seal_wrap: false,
        };
      }
      data['sys/'] = {
        type: 'system',
        description: 'system endpoints',
        options: null,
        accessor: 'system',
        config: { default_lease_ttl: 0, max_lease_ttl: 0 },
        local: false,
        seal_wrap: true,
      };
      return { status: 200, body: envelope({ ...data, data }) };
    }
    const mount = [...mounts.keys()]
      .filter(m => p.startsWith(`${m}/`))
      .sort((a, b) => b.length - a.length)[0];
    if (mount)
      return kvRoute(ctx, mounts.get(mount)!, p.slice(mount.length + 1));
    throw new VaultError(
      404,
      `no handler for route "${p}". route entry not found.`,
    );
  };

  const handle = async (
    req: IncomingMessage,
    res: ServerResponse,
    entry: RequestLogEntry,
  ) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const list = url.searchParams.get('list');
    let method = req.method ?? 'GET';
    if (method === 'GET' && (list === 'true' || list === '1')) method = 'LIST';
    entry.method = method;
    const fault = faults.take(method, url.pathname);
    if (fault?.latencyMs)
      await new Promise(r => setTimeout(r, fault.latencyMs));
    if (fault?.drop) {
      req.socket.destroy();
      return;
    }
    let result: Result;
    try {
      if (fault?.status)
        throw new VaultError(
          fault.status,
          fault.status === 503 ? 'Vault is sealed' : 'internal error',
        );
      if (!url.pathname.startsWith('/v1/')) throw new VaultError(404);
      const tokenId =
        (req.headers['x-vault-token'] as string | undefined) ??
        /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
      const token = tokens.get(tokenId);
      const ctx: Ctx = {
        method,
        path: decodeURIComponent(url.pathname.slice('/v1/'.length)),
        query: url.searchParams,
        body: await readJson(req),
        token,
      };
      if (token) entry.login = token.displayName;
      result = route(ctx);
      if (token && tokens.get(token.id)) tokens.use(token);
    } catch (e) {
      if (e instanceof VaultError) {
        // A deleted version still answers 404 with its metadata, as Vault does.
        result = {
          status: e.status,
          body: e.body
            ? envelope({ data: e.body, mount_type: 'kv' })
            : { errors: e.message ? [e.message] : [] },
        };
      } else {
        result = {
          status: 500,
          body: { errors: [e instanceof Error ? e.message : String(e)] },
        };
      }
      req.resume();
    }
    entry.status = result.status;
    if (result.body === undefined) {
      res.writeHead(result.status, { 'cache-control': 'no-store' });
      res.end();
      return;
    }
    const payload = Buffer.from(JSON.stringify(result.body));
    res.writeHead(result.status, {
      'cache-control': 'no-store',
      'content-type': 'application/json',
      'content-length': String(payload.length),
    });
    res.end(payload);
  };

  const server = createListAwareServer((req, res) => {
    const started = process.hrtime.bigint();
    const entry: RequestLogEntry = {
      method: req.method ?? 'GET',
      path: (req.url ?? '/').split('?')[0],
      status: 0,
      ms: 0,
    };
    handle(req, res, entry)
      .catch(() => {
        entry.status = 500;
        if (!res.headersSent) res.writeHead(500).end();
      })
      .finally(() => {
        entry.ms = Number(process.hrtime.bigint() - started) / 1e6;
        log.push(entry);
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.tcp.once('error', reject);
    server.tcp.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.tcp.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    rootToken,
    clock,
    health,
    kv(mount = 'secret') {
      const kv = mounts.get(mount);
      if (!kv) throw new Error(`no KV mount ${mount}`);
      return kv;
    },
    setPolicy(name, rules) {
      policies[name] = rules;
    },
    createToken(o) {
      return tokens.issue({
        policies: o.policies,
        ttl: parseDuration(o.ttl),
        explicitMaxTtl: parseDuration(o.explicitMaxTtl),
        renewable: o.renewable,
        path: 'auth/token/create',
        displayName: 'token',
      }).id;
    },
    revokeToken: id => tokens.revoke(id),
    roleId(role) {
      const r = appRoles.get(role);
      if (!r) throw new Error(`no AppRole role ${role}`);
      return r.roleId;
    },
    faults,
    get requests() {
      return log.entries;
    },
    close: () => server.close(),
  };
}
