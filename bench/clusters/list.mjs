#!/usr/bin/env node
// bench/clusters list: the real portal backend on PostgreSQL with 1,000
// clusters, the list route loaded at a fixed 100 requests/s as the guest user
// (every request goes through token verification and a permission decision;
// cluster read is granted to every member, so no owner filter applies).
// Prints p50/p90/p99 per query, medians of the runs. Its own databases (a
// unique prefix) are dropped and the backend stopped at the end.
//   node bench/clusters/list.mjs [--runs 3] [--duration 20] [--rate 100]
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import knexFactory from 'knex';
import { freePort, repoRoot } from '../../e2e/lib/portal.mjs';
import { median, verdict } from '../lib/stats.mjs';

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const RUNS = opt('runs', 3);
const DURATION_S = opt('duration', 20);
const RATE = opt('rate', 100);
const CLUSTERS = opt('clusters', 1000);
const P99_TARGET_MS = 50;
const PG = { host: '127.0.0.1', port: 5432, user: 'postgres' };
const QUERIES = {
  all: '/api/pipeline-clusters/clusters?limit=50',
  // The guest's own team: a filter that still returns a full page.
  owner:
    '/api/pipeline-clusters/clusters?owner=group:default/storefront&limit=50',
};

const require = createRequire(import.meta.url);
const transform = require.resolve(
  '@backstage/cli-node/config/nodeTransform.cjs',
);
const backendDir = path.join(repoRoot, 'packages/backend');
const prefix = `bench_cl_${randomBytes(4).toString('hex')}_`;
const admin = knexFactory({
  client: 'pg',
  connection: { ...PG, database: 'postgres' },
  pool: { min: 0, max: 1 },
});

async function dropDatabases() {
  const { rows } = await admin.raw(
    'select datname from pg_database where datname like ?',
    [`${prefix}%`],
  );
  for (const { datname } of rows) {
    await admin.raw('drop database if exists ?? with (force)', [datname]);
  }
  return rows.length;
}

async function startBackend() {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-clusters-'));
  const config = path.join(dir, 'app-config.bench.yaml');
  await fs.writeFile(
    config,
    `app:\n  baseUrl: ${url}\nbackend:\n  baseUrl: ${url}\n  listen:\n    port: ${port}\n    host: 127.0.0.1\n` +
      `  database:\n    client: pg\n    prefix: ${prefix}\n` +
      `    connection:\n      host: ${PG.host}\n      port: ${PG.port}\n      user: ${PG.user}\n` +
      `  workingDirectory: ${dir}\n` +
      `pipelinePortal:\n  clusters:\n    secrets:\n      database:\n        keys:\n` +
      `          - id: bench\n            secret: ${randomBytes(32).toString(
        'base64',
      )}\n`,
  );
  const child = spawn(
    process.execPath,
    [
      '--require',
      transform,
      path.join(backendDir, 'src/index.ts'),
      '--config',
      path.join(repoRoot, 'app-config.yaml'),
      '--config',
      config,
    ],
    {
      cwd: backendDir,
      env: { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const keep = d => {
    output = (output + d).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise(r => child.once('exit', r));
  const backend = {
    url,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`backend exited (${child.exitCode}):\n${output}`);
    if (Date.now() - started > 180_000)
      throw new Error(`backend not ready in 180 s:\n${output}`);
    try {
      const res = await fetch(`${url}/.backstage/health/v1/readiness`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    await new Promise(r => setTimeout(r, 250));
  }
  backend.readyS = (Date.now() - started) / 1000;
  return backend;
}

/** CPU seconds the process (and its threads) used so far. */
async function cpuSeconds(pid) {
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime + stime, in clock ticks (USER_HZ, 100 on Linux).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function load(url, token, query) {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${url}${query}`,
        connections: 10,
        overallRate: RATE,
        duration: DURATION_S,
        headers: { authorization: `Bearer ${token}` },
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
    // A stuck backend must not hold the benchmark past its duration.
    const timer = setTimeout(() => instance.stop(), (DURATION_S + 30) * 1000);
    instance.once('done', () => clearTimeout(timer));
  });
}

let backend;
let failed = false;
let idleMs;
try {
  backend = await startBackend();
  console.log(
    `backend ready in ${backend.readyS.toFixed(1)} s (databases ${prefix}*)`,
  );

  // The plugin migrated its database during start-up; fill it now.
  globalThis.jest ??= { setTimeout() {} }; // the test harness expects Jest
  require(transform);
  const { seedClusters } = require('./seed.ts');
  const seeded = Date.now();
  const byOwner = await seedClusters(
    { ...PG, database: `${prefix}pipeline-clusters` },
    CLUSTERS,
  );
  console.log(
    `${CLUSTERS} clusters inserted in ${((Date.now() - seeded) / 1000).toFixed(
      1,
    )} s: ${JSON.stringify(byOwner)}`,
  );

  const refresh = await fetch(`${backend.url}/api/auth/guest/refresh`, {
    headers: { 'x-requested-with': 'XMLHttpRequest' },
  });
  if (!refresh.ok) throw new Error(`guest refresh: ${refresh.status}`);
  const token = (await refresh.json()).backstageIdentity.token;
  for (const [name, query] of Object.entries(QUERIES)) {
    const res = await fetch(`${backend.url}${query}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const body = await res.json();
    if (!res.ok)
      throw new Error(`${name}: ${res.status} ${JSON.stringify(body)}`);
    console.log(
      `${name}: ${query} -> ${body.items.length} items of ${body.totalCount}`,
    );
  }

  // Warm-up (JIT, connection pools), not measured.
  await load(backend.url, token, QUERIES.all).then(() => undefined);

  // One request at a time: the latency without queueing, for comparison.
  const idle = [];
  for (let i = 0; i < 50; i++) {
    const t = performance.now();
    const res = await fetch(`${backend.url}${QUERIES.all}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await res.arrayBuffer();
    idle.push(performance.now() - t);
  }
  idleMs = median(idle);
  console.log(`one at a time: median ${idleMs.toFixed(1)} ms (${QUERIES.all})`);

  const results = { all: [], owner: [] };
  for (let run = 1; run <= RUNS; run++) {
    for (const [name, query] of Object.entries(QUERIES)) {
      const cpuBefore = await cpuSeconds(backend.child.pid);
      const r = await load(backend.url, token, query);
      const cpu = (await cpuSeconds(backend.child.pid)) - cpuBefore;
      const figures = {
        p50: r.latency.p50,
        p90: r.latency.p90,
        p99: r.latency.p99,
        max: r.latency.max,
        rps: r.requests.average,
        sent: r.requests.sent,
        errors: r.errors + r.timeouts,
        non2xx: r.non2xx,
        // Backend CPU per request served, in ms (one core = 1000 ms/s).
        cpuMs: (cpu * 1000) / Math.max(1, r.requests.total),
        cpuShare: cpu / r.duration,
      };
      results[name].push(figures);
      console.log(
        `run ${run} ${name.padEnd(5)}: ${figures.rps.toFixed(0)} req/s, p50 ${
          figures.p50
        } ms, p90 ${figures.p90} ms, p99 ${figures.p99} ms, max ${
          figures.max
        } ms, errors ${figures.errors}, non-2xx ${
          figures.non2xx
        }; backend CPU ${(figures.cpuShare * 100).toFixed(
          0,
        )}% of a core, ${figures.cpuMs.toFixed(1)} ms/request`,
      );
    }
  }

  console.log(
    `\nbench/clusters list: ${CLUSTERS} clusters on PostgreSQL, real backend, guest user, ${RATE} req/s for ${DURATION_S} s, medians of ${RUNS} runs`,
  );
  for (const [name, query] of Object.entries(QUERIES)) {
    const med = key => median(results[name].map(f => f[key]));
    const bad = results[name].reduce((n, f) => n + f.errors + f.non2xx, 0) > 0;
    const ok = med('p99') < P99_TARGET_MS && !bad;
    if (!ok) failed = true;
    console.log(`  GET ${query}`);
    console.log(
      `    p50 ${med('p50')} ms   p90 ${med('p90')} ms   p99 ${med(
        'p99',
      )} ms   target p99 < ${P99_TARGET_MS} ms   ${verdict(ok)}`,
    );
    console.log(
      `    rate ${med('rps').toFixed(0)} req/s   errors ${results[name].reduce(
        (n, f) => n + f.errors,
        0,
      )}   non-2xx ${results[name].reduce(
        (n, f) => n + f.non2xx,
        0,
      )} (all runs)   p99 per run ${results[name]
        .map(f => f.p99)
        .join(', ')} ms`,
    );
    if (name === 'all')
      console.log(`    one request at a time: ${idleMs.toFixed(1)} ms median`);
    console.log(
      `    backend CPU ${med('cpuMs').toFixed(1)} ms per request, ${(
        med('cpuShare') * 100
      ).toFixed(0)}% of a core`,
    );
  }
} catch (error) {
  console.error(error);
  failed = true;
} finally {
  await backend?.stop();
  const dropped = await dropDatabases().catch(e => {
    console.error(`could not drop ${prefix}* databases: ${e}`);
    return 0;
  });
  await admin.destroy();
  console.log(`dropped ${dropped} databases ${prefix}*`);
}
process.exitCode = failed ? 1 : 0;
