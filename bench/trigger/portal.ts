/*
 * The real portal backend (packages/backend/src/index.ts) for bench/trigger:
 * PostgreSQL under a unique database prefix, the GitHub double as its GitHub
 * integration, a webhook secret, and a catalog holding the org and one
 * component per bench repository. The runtime cluster is imported through
 * the clusters API as the guest, as a team would.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import type { World } from './world';
import { CLUSTER, NAMESPACE, OWNER } from './world';

const PG = { host: '127.0.0.1', port: 5432, user: 'postgres' };
const OWNER_GROUP = 'group:default/storefront';

export interface Portal {
  url: string;
  child: ChildProcess;
  webhookUrl: string;
  secret: string;
  prefix: string;
  database: string;
  output(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise(r => server.close(r));
  return port;
}

const component = (repo: string) => `---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ${repo}
  annotations:
    github.com/project-slug: ${OWNER}/${repo}
    backstage.io/kubernetes-id: ${repo}
    pipeline-portal.io/runtime-cluster: ${CLUSTER}
    pipeline-portal.io/namespace: ${NAMESPACE}
    pipeline-portal.io/spotguide: nodejs-service
spec:
  type: service
  lifecycle: experimental
  owner: ${OWNER_GROUP}
`;

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
    if (child.exitCode !== null)
      throw new Error(`backend exited (${child.exitCode}):\n${output()}`);
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() - started > timeoutMs)
      throw new Error(`${what}: not in ${timeoutMs / 1000} s\n${output()}`);
    await new Promise(r => setTimeout(r, 250));
  }
}

export async function startPortal(
  repoRoot: string,
  world: World,
  databaseClient: 'pg' | 'better-sqlite3' = 'pg',
): Promise<Portal> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const prefix = `bench_tr_${randomBytes(4).toString('hex')}_`;
  const secret = randomBytes(20).toString('hex');
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-trigger-'));
  const catalogFile = path.join(dir, 'components.yaml');
  await fs.writeFile(
    catalogFile,
    world.repos.map(r => component(r.name)).join(''),
  );
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
              connection: { directory: path.join(dir, 'sqlite') },
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
      locations: [
        {
          type: 'file',
          target: path.join(repoRoot, 'catalog/org.yaml'),
          rules: [{ allow: ['User', 'Group'] }],
        },
        { type: 'file', target: catalogFile },
      ],
    },
    pipelinePortal: {
      clusters: {
        import: { allowedCidrs: ['127.0.0.0/8'] },
        secrets: {
          database: {
            keys: [{ id: 'bench', secret: randomBytes(32).toString('base64') }],
          },
        },
      },
    },
  };
  const configFile = path.join(dir, 'app-config.bench.json');
  await fs.writeFile(configFile, JSON.stringify(config));
  const backendDir = path.join(repoRoot, 'packages/backend');
  const child = spawn(
    process.execPath,
    [
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
      env: { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'warn' },
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
    prefix,
    database: databaseClient === 'pg' ? `PostgreSQL (${prefix}*)` : 'SQLite',
    output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
      await fs.rm(dir, { recursive: true, force: true });
      if (databaseClient === 'pg') await dropDatabases(prefix);
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
    await prepare(portal, world);
  } catch (error) {
    await portal.stop();
    throw error;
  }
  return portal;
}

/** Signs in as the guest, waits for the catalog, imports the runtime cluster. */
async function prepare(portal: Portal, world: World) {
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
  let auth = { authorization: `Bearer ${(await signIn()).token}` };
  const names = world.repos.map(r => r.name);
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
  // Ownership is resolved at sign-in: sign in again once the catalog knows
  // the guest's team.
  await poll(
    'the guest in storefront',
    async () => {
      const identity = await signIn();
      if (!identity.identity.ownershipEntityRefs.includes(OWNER_GROUP)) {
        return undefined;
      }
      auth = { authorization: `Bearer ${identity.token}` };
      return true;
    },
    child,
    output,
  );
  const res = await fetch(`${url}/api/pipeline-clusters/clusters/import`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: CLUSTER,
      owner: OWNER_GROUP,
      kubeconfig: world.kube.kubeConfigYaml,
    }),
  });
  if (!res.ok) {
    throw new Error(`cluster import: ${res.status} ${await res.text()}`);
  }
}
