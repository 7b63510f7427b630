/*
 * The real portal backend (packages/backend/src/index.ts) for bench/trigger
 * and bench/tenancy: PostgreSQL under a unique database prefix, the GitHub
 * double as its GitHub integration, a webhook secret, and the org in its
 * catalog. Everything else is set up through the portal's own APIs as the
 * guest (a storefront member), as a team would in production: the runtime
 * cluster imported, the team namespace created on it, each repository's
 * `catalog-info.yaml` registered as a url location (so the catalog reads it
 * from the repository through the GitHub integration) and the repository
 * bound to its component.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import knexFactory from 'knex';
import type { GitHubDouble, KubeApi } from '@pipeline-portal/testing';
import { mapWithConcurrency } from '@pipeline-portal/backend-kit';
import { CATALOG_FILE, CLUSTER, NAMESPACE, OWNER, OWNER_GROUP } from './world';

const PG = { host: '127.0.0.1', port: 5432, user: 'postgres' };

/** What the portal is pointed at: the doubles and the repositories to bind. */
export interface PortalWorld {
  gh: GitHubDouble;
  kube: KubeApi;
  repos: Array<{ name: string }>;
}

export interface Portal {
  url: string;
  child: ChildProcess;
  webhookUrl: string;
  secret: string;
  /** The secret store's key, which every replica shares. */
  secretsKey: string;
  prefix: string;
  database: string;
  /** The guest's `authorization` header (a storefront member). */
  guest: Record<string, string>;
  /** How the backend ended (`code 1`, `signal SIGABRT`); undefined while it runs. */
  exited(): string | undefined;
  /** Connection settings of a plugin's database, to read what it recorded. */
  knexConfig(pluginId: string): Knex.Config;
  output(): string;
  stop(): Promise<void>;
}

export interface PortalOptions {
  /** Extra arguments for the backend's node, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
  /**
   * Another replica of this portal: its database prefix, webhook secret and
   * secret-store key, and nothing set up again (bench/replicas).
   */
  replicaOf?: Portal;
  /** Settings under `pipelinePortal` beside the bench's own. */
  pipelinePortal?: Record<string, unknown>;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise(r => server.close(r));
  return port;
}

function exitOf(child: ChildProcess): string | undefined {
  if (child.exitCode !== null) return `code ${child.exitCode}`;
  if (child.signalCode !== null) return `signal ${child.signalCode}`;
  return undefined;
}

async function dropDatabases(prefix: string) {
  const admin = knexFactory({
    client: 'pg',
    connection: { ...PG, database: 'postgres' },
    pool: { min: 0, max: 1 },
  });
  try {
    const { rows } = await admin.raw(
      'select datname from pg_database where datname like ?',
      [`${prefix}%`],
    );
    for (const { datname } of rows) {
      await admin.raw('drop database if exists ?? with (force)', [datname]);
    }
  } finally {
    await admin.destroy();
  }
}

async function poll<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  child: ChildProcess,
  output: () => string,
  timeoutMs = 180_000,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const exit = exitOf(child);
    if (exit) throw new Error(`backend exited (${exit}):\n${output()}`);
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() - started > timeoutMs)
      throw new Error(`${what}: not in ${timeoutMs / 1000} s\n${output()}`);
    await new Promise(r => setTimeout(r, 250));
  }
}

export async function startPortal(
  repoRoot: string,
  world: PortalWorld,
  databaseClient: 'pg' | 'better-sqlite3' = 'pg',
  options: PortalOptions = {},
): Promise<Portal> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const primary = options.replicaOf;
  const prefix =
    primary?.prefix ?? `bench_tr_${randomBytes(4).toString('hex')}_`;
  const secret = primary?.secret ?? randomBytes(20).toString('hex');
  const secretsKey = primary?.secretsKey ?? randomBytes(32).toString('base64');
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-trigger-'));
  const sqliteDir = path.join(dir, 'sqlite');
  const config = {
    app: { baseUrl: url },
    backend: {
      baseUrl: url,
      listen: { port, host: '127.0.0.1' },
      database:
        databaseClient === 'pg'
          ? { client: 'pg', prefix, connection: PG }
          : {
              client: 'better-sqlite3',
              connection: { directory: sqliteDir },
            },
      workingDirectory: dir,
    },
    integrations: {
      github: [
        {
          host: world.gh.host,
          apiBaseUrl: world.gh.url,
          token: world.gh.token,
        },
      ],
    },
    events: { modules: { github: { webhookSecret: secret } } },
    catalog: {
      // The org only: the components are registered by the guest, from
      // their repositories.
      locations: [
        {
          type: 'file',
          target: path.join(repoRoot, 'catalog/org.yaml'),
          rules: [{ allow: ['User', 'Group'] }],
        },
      ],
    },
    pipelinePortal: {
      clusters: {
        import: { allowedCidrs: ['127.0.0.0/8'] },
        secrets: {
          database: {
            keys: [{ id: 'bench', secret: secretsKey }],
          },
        },
      },
      ...options.pipelinePortal,
    },
  };
  const configFile = path.join(dir, 'app-config.bench.json');
  await fs.writeFile(configFile, JSON.stringify(config));
  const backendDir = path.join(repoRoot, 'packages/backend');
  const child = spawn(
    process.execPath,
    [
      ...(options.nodeArgs ?? []),
      '--require',
      require.resolve('@backstage/cli-node/config/nodeTransform.cjs'),
      path.join(backendDir, 'src/index.ts'),
      '--config',
      path.join(repoRoot, 'app-config.yaml'),
      '--config',
      configFile,
    ],
    {
      cwd: backendDir,
      env: {
        ...process.env,
        NODE_ENV: 'development',
        LOG_LEVEL: 'warn',
        // Replicas on one machine would share the metrics port.
        PORTAL_METRICS_PORT: 'off',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let log = '';
  const keep = (d: Buffer) => {
    log = (log + d).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const output = () => log;
  const exited = new Promise(r => child.once('exit', r));
  const portal: Portal = {
    url,
    child,
    webhookUrl: `${url}/api/events/http/github`,
    secret,
    secretsKey,
    prefix,
    database: databaseClient === 'pg' ? `PostgreSQL (${prefix}*)` : 'SQLite',
    guest: {},
    exited: () => exitOf(child),
    knexConfig: pluginId =>
      databaseClient === 'pg'
        ? {
            client: 'pg',
            connection: { ...PG, database: `${prefix}${pluginId}` },
            pool: { min: 0, max: 2 },
          }
        : {
            client: 'better-sqlite3',
            connection: {
              filename: path.join(sqliteDir, `${pluginId}.sqlite`),
            },
            useNullAsDefault: true,
          },
    output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
      await fs.rm(dir, { recursive: true, force: true });
      // The databases are the first replica's to drop, once the others stop.
      if (databaseClient === 'pg' && !primary) await dropDatabases(prefix);
    },
  };
  try {
    await poll(
      'readiness',
      async () =>
        (await fetch(`${url}/.backstage/health/v1/readiness`)).ok || undefined,
      child,
      output,
    );
    portal.guest = primary ? primary.guest : await prepare(portal, world);
  } catch (error) {
    await portal.stop();
    throw error;
  }
  return portal;
}

/**
 * The portal on PostgreSQL. Its preflight gives PostgreSQL 5 s while the
 * backend's modules still compile; on a busy machine that expires: after
 * two such failures, on SQLite (saying so through `log`).
 */
export async function startBenchPortal(
  repoRoot: string,
  world: PortalWorld,
  options: PortalOptions & { log(line: string): void },
): Promise<Portal> {
  const started = Date.now();
  const clients = ['pg', 'pg', 'better-sqlite3'] as const;
  for (let attempt = 0; ; attempt++) {
    try {
      return await startPortal(repoRoot, world, clients[attempt], options);
    } catch (error) {
      if (attempt >= 2 || !/cannot reach PostgreSQL/.test(String(error)))
        throw error;
      options.log(
        `portal start on ${
          clients[attempt]
        } failed: preflight found PostgreSQL unreachable (${(
          (Date.now() - started) /
          1000
        ).toFixed(1)} s); again on ${clients[attempt + 1]}`,
      );
    }
  }
}

/** The answer's JSON, or an error naming the step, status and body. */
async function expectOk(step: string, res: Response): Promise<any> {
  const text = await res.text();
  if (!res.ok) throw new Error(`${step}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** Where the catalog reads a bench repository's component from. */
export function catalogLocation(gh: GitHubDouble, repo: string): string {
  return `${gh.webUrl}/${OWNER}/${repo}/blob/main/${CATALOG_FILE}`;
}

/**
 * As the guest, a storefront member: imports the runtime cluster (so
 * storefront owns it), creates the team namespace on it, registers each
 * repository's catalog-info.yaml and binds each repository to its
 * component. Returns the guest's authorization header.
 */
async function prepare(
  portal: Portal,
  world: PortalWorld,
): Promise<Record<string, string>> {
  const { url, child, output } = portal;
  const signIn = () =>
    poll(
      'guest sign-in',
      async () => {
        const res = await fetch(`${url}/api/auth/guest/refresh`, {
          headers: { 'x-requested-with': 'XMLHttpRequest' },
        });
        return res.ok
          ? ((await res.json()).backstageIdentity as {
              token: string;
              identity: { ownershipEntityRefs: string[] };
            })
          : undefined;
      },
      child,
      output,
    );
  // Ownership is resolved at sign-in: sign in until the catalog knows the
  // guest's team.
  const auth = await poll(
    'the guest in storefront',
    async () => {
      const identity = await signIn();
      return identity.identity.ownershipEntityRefs.includes(OWNER_GROUP)
        ? { authorization: `Bearer ${identity.token}` }
        : undefined;
    },
    child,
    output,
  );
  const json = { ...auth, 'content-type': 'application/json' };
  await expectOk(
    'cluster import',
    await fetch(`${url}/api/pipeline-clusters/clusters/import`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({
        name: CLUSTER,
        owner: OWNER_GROUP,
        kubeconfig: world.kube.kubeConfigYaml,
      }),
    }),
  );
  await expectOk(
    'team namespace',
    await fetch(`${url}/api/pipeline-clusters/clusters/${CLUSTER}/namespaces`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ namespace: NAMESPACE, team: OWNER_GROUP }),
    }),
  );
  const names = world.repos.map(r => r.name);
  await mapWithConcurrency(names, 4, async name =>
    expectOk(
      `catalog location of ${name}`,
      await fetch(`${url}/api/catalog/locations`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({
          type: 'url',
          target: catalogLocation(world.gh, name),
        }),
      }),
    ),
  );
  await poll(
    'components in the catalog',
    async () => {
      const res = await fetch(
        `${url}/api/catalog/entities/by-query?filter=kind=component&limit=1000`,
        { headers: auth },
      );
      const items: any[] = res.ok ? (await res.json()).items : [];
      const have = new Set(items.map(e => e.metadata.name));
      return names.every(n => have.has(n)) || undefined;
    },
    child,
    output,
  );
  await mapWithConcurrency(names, 4, async name =>
    expectOk(
      `binding of ${OWNER}/${name}`,
      await fetch(
        `${url}/api/spotguides/repositories/${OWNER}/${name}/binding`,
        {
          method: 'PUT',
          headers: json,
          body: JSON.stringify({
            entityRef: `component:default/${name}`,
            target: { cluster: CLUSTER, namespace: NAMESPACE },
          }),
        },
      ),
    ),
  );
  return auth;
}
