/*
 * bench/clusters reconcile: 200 clusters (the six distributions in turn)
 * reconciled against the Kubernetes API double with 20 ms added to every
 * request, on a temporary PostgreSQL database. Measures
 *   - the first full pass: all Pending -> engine resources written, status read;
 *   - a steady-state pass over the same clusters once Running (resync);
 * and, from the double's request log, the peak requests per second against
 * any one cluster's objects (bound: requestsPerSecondPerCluster) and the
 * total QPS. Fresh double and fresh tables per run; medians over the runs.
 * Run through reconcile.mjs (it loads the TypeScript hook).
 */
import { readClustersConfig } from '../../plugins/pipeline-clusters/backend/src/config';
import { ConfigReader } from '@backstage/config';
import {
  CREDENTIAL_KIND_OF,
  DEFAULT_OFFERED_VERSIONS,
  PROVISIONED_DISTRIBUTIONS,
  ProvisionedDistribution,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import knexFactory, { Knex } from 'knex';
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import {
  CREDENTIALS,
  sampleSpec,
} from '../../plugins/pipeline-clusters/backend/src/distributions/__testUtils__/harness';
import { ManagementCluster } from '../../plugins/pipeline-clusters/backend/src/management/ManagementCluster';
import { RateLimiter } from '@pipeline-portal/backend-kit';
import { DatabaseSecretStore } from '../../plugins/pipeline-clusters/backend/src/secrets/DatabaseSecretStore';
import { ClusterReconciler } from '../../plugins/pipeline-clusters/backend/src/service/ClusterReconciler';
import { ClusterService } from '../../plugins/pipeline-clusters/backend/src/service/ClusterService';
import { ClusterStore } from '../../plugins/pipeline-clusters/backend/src/store/ClusterStore';

const args = process.argv.slice(2);
const opt = (name: string, def: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const CLUSTERS = opt('clusters', 200);
const RUNS = opt('runs', 3);
const LATENCY_MS = opt('latency', 20);
const FULL_PASS_TARGET_S = 5;
// --trace prints the request timeline of the busiest cluster and the gaps
// between requests, to see where a pass spends its time.
const TRACE = args.includes('--trace');
// Each cluster's pass takes at least (requests - 1) / bound seconds, so a
// missed target must not hang the benchmark.
const PASS_TIMEOUT_MS = 120_000;
const OWNER = 'group:default/payments';
const NAMESPACE = 'pipeline-clusters';
const PG = { host: '127.0.0.1', port: 5432, user: 'postgres' };

// The defaults the plugin runs with (config.ts), used and printed.
const reconcilerDefaults = (() => {
  const { reconcile } = readClustersConfig(new ConfigReader({}));
  return {
    concurrency: reconcile.concurrency!,
    requestsPerSecondPerCluster: reconcile.requestsPerSecondPerCluster!,
  };
})();

const silent: any = {
  debug() {},
  info() {},
  warn() {},
  error(message: string) {
    console.error(message);
  },
  child() {
    return silent;
  },
};

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const verdict = (ok: boolean) => (ok ? 'meets target' : 'MISSES target');

/** Cluster names carry a fixed token, so a request path names its cluster. */
const clusterName = (i: number, d: ProvisionedDistribution) =>
  `bc${String(i).padStart(3, '0')}-${d}`;
const CLUSTER_IN_PATH = /bc(\d{3})-/;

interface RateFigures {
  requests: number;
  /** Requests naming a cluster in the path (the rest: namespace, discovery). */
  perCluster: number;
  totalQps: number;
  /** Most requests any one cluster got within one second (sliding window). */
  peakPerCluster: number;
  peakCluster: string;
  /** Median over clusters of their own peak. */
  medianPeak: number;
  /** Most requests, all clusters together, within one second. */
  peakTotal: number;
  requestsPerCluster: number;
}

/** One request the management double served. */
interface LogRecord {
  timestamp: number;
  method: string;
  path: string;
  status: number;
  durationMs: number;
}

/**
 * The management double in its own process (management.ts), so that its TLS
 * and validation do not share the portal's event loop.
 */
async function startRemoteManagement() {
  const child = fork(path.join(__dirname, 'management.mjs'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let next = 1;
  const pending = new Map<number, (m: any) => void>();
  const ready = new Promise<any>((resolve, reject) => {
    pending.set(0, resolve);
    child.once('exit', code =>
      reject(new Error(`management double exited: ${code}`)),
    );
  });
  child.on('message', (m: any) => {
    pending.get(m.id)?.(m);
    pending.delete(m.id);
  });
  const call = (message: object) =>
    new Promise<any>(resolve => {
      const id = next++;
      pending.set(id, resolve);
      child.send({ ...message, id });
    });
  const { url, caData, token } = await ready;
  return {
    url: url as string,
    caData: caData as string,
    token: token as string,
    addLatency: (ms: number) => call({ type: 'latency', ms }),
    log: async (since: number, until: number) =>
      (await call({ type: 'log', since, until })).records as LogRecord[],
    close: () =>
      new Promise<void>(resolve => {
        child.once('exit', () => resolve());
        child.disconnect();
      }),
  };
}

/** Max number of timestamps within any half-open window of `ms`. */
function peakInWindow(timestamps: number[], ms = 1000): number {
  const t = [...timestamps].sort((a, b) => a - b);
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < t.length; hi++) {
    while (t[hi] - t[lo] >= ms) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

function rates(log: LogRecord[], since: number, until: number): RateFigures {
  const byCluster = new Map<string, number[]>();
  for (const r of log) {
    const m = CLUSTER_IN_PATH.exec(r.path);
    if (!m) continue;
    const key = m[1];
    if (!byCluster.has(key)) byCluster.set(key, []);
    byCluster.get(key)!.push(r.timestamp);
  }
  let peakPerCluster = 0;
  let peakCluster = '';
  const peaks: number[] = [];
  let perCluster = 0;
  for (const [key, ts] of byCluster) {
    perCluster += ts.length;
    const p = peakInWindow(ts);
    peaks.push(p);
    if (p > peakPerCluster) {
      peakPerCluster = p;
      peakCluster = key;
    }
  }
  const span = Math.max(1, until - since) / 1000;
  return {
    requests: log.length,
    perCluster,
    totalQps: log.length / span,
    peakPerCluster,
    peakCluster,
    medianPeak: peaks.length ? median(peaks) : 0,
    peakTotal: peakInWindow(log.map(r => r.timestamp)),
    requestsPerCluster: byCluster.size ? perCluster / byCluster.size : 0,
  };
}

function trace(log: LogRecord[], since: number, key: string) {
  for (const r of log.filter(x => CLUSTER_IN_PATH.exec(x.path)?.[1] === key))
    console.log(
      `  +${r.timestamp - since} ms ${r.method} ${r.path} ${r.status} ${
        r.durationMs
      } ms`,
    );
  const spans = new Map<string, number[]>();
  for (const r of log) {
    const k = CLUSTER_IN_PATH.exec(r.path)?.[1];
    if (k) (spans.get(k) ?? spans.set(k, []).get(k)!).push(r.timestamp - since);
  }
  console.log(
    `  per cluster first..last request (ms): ${[...spans]
      .map(([k, t]) => `${k}:${t[0]}..${t[t.length - 1]}`)
      .join(' ')}`,
  );
  const other = log.filter(x => !CLUSTER_IN_PATH.test(x.path));
  console.log(
    `  requests naming no cluster: ${other.length} (${[
      ...new Set(other.map(r => `${r.method} ${r.path}`)),
    ]
      .slice(0, 5)
      .join(', ')})`,
  );
  const durations = log.map(r => r.durationMs);
  console.log(
    `  server-side duration p50 ${median(durations).toFixed(
      1,
    )} ms, max ${Math.max(...durations).toFixed(1)} ms`,
  );
}

// Instrumentation only (product code untouched): when each limiter lets a
// request go, on the client side, and how many TLS connections are opened.
const released = new Map<RateLimiter, number[]>();
const originalWait = RateLimiter.prototype.wait;
RateLimiter.prototype.wait = async function wait(this: RateLimiter) {
  await originalWait.call(this);
  (released.get(this) ?? released.set(this, []).get(this)!).push(Date.now());
};
let connections = 0;
const originalConnect = (https.Agent.prototype as any).createConnection;
(https.Agent.prototype as any).createConnection = function connect(
  ...a: unknown[]
) {
  connections++;
  return originalConnect.apply(this, a);
};

async function timedPass(reconciler: ClusterReconciler) {
  released.clear();
  connections = 0;
  const elu = performance.eventLoopUtilization();
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([
    reconciler.runOnce(),
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`pass not done in ${PASS_TIMEOUT_MS} ms`)),
        PASS_TIMEOUT_MS,
      );
    }),
  ]).finally(() => clearTimeout(timer));
  const ended = Date.now();
  const clientPeak = Math.max(
    0,
    ...[...released.values()].map(ts => peakInWindow(ts)),
  );
  return {
    ...result,
    started,
    ended,
    clientPeak,
    connections,
    elu: performance.eventLoopUtilization(elu).utilization,
  };
}

async function phases(knex: Knex) {
  const rows = (await knex('clusters')
    .select('phase')
    .count({ n: '*' })
    .groupBy('phase')) as Array<{ phase: string; n: number | string }>;
  return Object.fromEntries(rows.map(r => [r.phase, Number(r.n)]));
}

type Pass = Awaited<ReturnType<typeof timedPass>> & {
  seconds: number;
  rates: RateFigures;
};

interface RunResult {
  full: Pass;
  steady: Pass;
  /** When clusters finished, relative to the full pass start (s). */
  fullProfile: { p50: number; p90: number };
}

const describePass = (p: Pass) =>
  `${p.seconds.toFixed(2)} s, ${p.reconciled} ok, ${p.failed} failed; ${
    p.rates.requests
  } requests (${p.rates.requestsPerCluster.toFixed(1)}/cluster), ${
    p.connections
  } TLS connections, ${p.rates.totalQps.toFixed(0)} req/s total; peak/cluster ${
    p.rates.peakPerCluster
  } at the server, ${p.clientPeak} released by the limiter; event loop ${(
    p.elu * 100
  ).toFixed(0)}% busy`;

async function run(knex: Knex, index: number): Promise<RunResult> {
  // Fresh tables: every run starts with 200 Pending clusters.
  await knex('cluster_history').delete();
  await knex('clusters').delete();
  await knex('secrets').delete();

  const api = await startRemoteManagement();
  try {
    const database: any = { getClient: async () => knex };
    const store = await ClusterStore.create({ database: knex });
    const secrets = await DatabaseSecretStore.create({
      database,
      config: new ConfigReader({
        pipelinePortal: {
          clusters: {
            secrets: {
              database: {
                keys: [
                  { id: 'bench', secret: randomBytes(32).toString('base64') },
                ],
              },
            },
          },
        },
      }),
    });
    const management = new ManagementCluster({
      url: api.url,
      caData: api.caData,
      token: api.token,
      namespace: NAMESPACE,
    });
    const service = new ClusterService({
      store,
      secrets,
      management,
      offeredVersions: DEFAULT_OFFERED_VERSIONS,
      importPolicy: { allowedCidrs: [], probeTimeoutMs: 1000 },
      logger: silent,
    });
    for (const d of PROVISIONED_DISTRIBUTIONS) {
      await secrets.put({
        owner: OWNER,
        name: `bench-${d}`,
        kind: CREDENTIAL_KIND_OF[d],
        value: CREDENTIALS[d],
      });
    }
    for (let i = 0; i < CLUSTERS; i++) {
      const d = PROVISIONED_DISTRIBUTIONS[i % PROVISIONED_DISTRIBUTIONS.length];
      await service.create({
        ...sampleSpec(d),
        name: clusterName(i, d),
        owner: OWNER,
        credential: `bench-${d}`,
      });
    }

    // Product defaults for concurrency and requestsPerSecondPerCluster;
    // resyncMs 0 makes every Running cluster due again at once, which is
    // what a resync pass looks like.
    const reconciler = new ClusterReconciler({
      store,
      secrets,
      management,
      logger: silent,
      ...reconcilerDefaults,
      resyncMs: 0,
    });

    // The last store write of each cluster's reconcile marks it finished.
    const finishedAt: number[] = [];
    const update = store.update.bind(store);
    (store as any).update = async (
      ...a: Parameters<ClusterStore['update']>
    ) => {
      const r = await update(...a);
      if (a[2].reconcileAfter !== undefined) finishedAt.push(Date.now());
      return r;
    };

    await api.addLatency(LATENCY_MS);
    const measured = async (): Promise<Pass> => {
      const p = await timedPass(reconciler);
      return {
        ...p,
        seconds: (p.ended - p.started) / 1000,
        rates: rates(await api.log(p.started, p.ended), p.started, p.ended),
      };
    };

    const full = await measured();
    if (TRACE) {
      trace(
        await api.log(full.started, full.ended),
        full.started,
        full.rates.peakCluster,
      );
    }
    const after = await phases(knex);
    const done = finishedAt
      .map(t => (t - full.started) / 1000)
      .sort((a, b) => a - b);
    const fullProfile = {
      p50: done.length ? median(done) : 0,
      p90: done.length ? done[Math.floor(done.length * 0.9)] : 0,
    };
    console.log(
      `run ${index} full pass:   ${describePass(full)}; then ${JSON.stringify(
        after,
      )}`,
    );

    // Every cluster Running (bounded number of passes), then a resync pass.
    for (let i = 0; i < 5; i++) {
      const p = await phases(knex);
      if ((p.Running ?? 0) === CLUSTERS) break;
      await timedPass(reconciler);
    }
    const before = await phases(knex);
    await new Promise(r => setTimeout(r, 1100)); // passes' windows apart
    const steady = await measured();
    console.log(
      `run ${index} steady pass: ${describePass(steady)}; over ${JSON.stringify(
        before,
      )}`,
    );
    return { full, steady, fullProfile };
  } finally {
    await api.close();
  }
}

async function main() {
  const dbName = `bench_clusters_${process.pid}_${randomBytes(4).toString(
    'hex',
  )}`;
  const admin = knexFactory({
    client: 'pg',
    connection: { ...PG, database: 'postgres' },
    pool: { min: 0, max: 1 },
  });
  await admin.raw('create database ??', [dbName]);
  // Backstage's PostgreSQL pool default is 10 connections.
  const knex = knexFactory({
    client: 'pg',
    connection: { ...PG, database: dbName },
    pool: { min: 0, max: 10 },
  });
  let failedTargets = false;
  try {
    await ClusterStore.create({ database: knex }); // migrations
    const results: RunResult[] = [];
    for (let i = 1; i <= RUNS; i++) results.push(await run(knex, i));

    const bound = reconcilerDefaults.requestsPerSecondPerCluster;
    const concurrency = reconcilerDefaults.concurrency;
    const med = (f: (r: RunResult) => number) => median(results.map(f));
    const full = med(r => r.full.seconds);
    const steady = med(r => r.steady.seconds);
    // A bound holds in the worst run or not at all.
    const worst = (f: (r: RunResult) => number) => Math.max(...results.map(f));
    const peakFull = worst(r => r.full.rates.peakPerCluster);
    const peakSteady = worst(r => r.steady.rates.peakPerCluster);
    const peak = Math.max(peakFull, peakSteady);
    const clientPeak = worst(r =>
      Math.max(r.full.clientPeak, r.steady.clientPeak),
    );
    const perCluster = med(r => r.full.rates.requestsPerCluster);
    // No pass can beat this: each cluster's requests are spaced 1/bound s
    // apart and at most `concurrency` clusters are in flight.
    const floor =
      (Math.ceil(CLUSTERS / concurrency) * (perCluster - 1)) / bound;
    const fullOk = full < FULL_PASS_TARGET_S;
    const peakOk = peak <= bound;
    const failed = results.some(r => r.full.failed + r.steady.failed > 0);
    failedTargets = !fullOk || !peakOk || failed;

    console.log(
      `\nbench/clusters reconcile: ${CLUSTERS} clusters (${PROVISIONED_DISTRIBUTIONS.join(
        ', ',
      )}), +${LATENCY_MS} ms per request, PostgreSQL, medians of ${RUNS} runs`,
    );
    console.log(
      `  config                 concurrency ${concurrency}, requestsPerSecondPerCluster ${bound} (plugin defaults)`,
    );
    console.log(
      `  full pass (Pending)    ${full.toFixed(
        2,
      )} s   target < ${FULL_PASS_TARGET_S} s   ${verdict(
        fullOk,
      )}  (floor set by the config: ${floor.toFixed(1)} s)`,
    );
    console.log(
      `  steady pass (Running)  ${steady.toFixed(2)} s${
        failed ? '   SOME CLUSTERS FAILED' : ''
      }`,
    );
    console.log(
      `  peak per cluster       ${peak} req/s (full ${peakFull}, steady ${peakSteady}; worst run)   target <= ${bound}   ${verdict(
        peakOk,
      )}`,
    );
    console.log(
      `    as released by the limiter (client side): ${clientPeak} req/s`,
    );
    console.log(
      `  requests per cluster   ${perCluster.toFixed(1)} (full), ${med(
        r => r.steady.rates.requestsPerCluster,
      ).toFixed(1)} (steady)`,
    );
    console.log(
      `  total QPS              ${med(r => r.full.rates.totalQps).toFixed(
        0,
      )} req/s mean, ${med(
        r => r.full.rates.peakTotal,
      )} in the busiest second (full); ${med(
        r => r.steady.rates.totalQps,
      ).toFixed(0)} req/s mean (steady)`,
    );
    console.log(
      `  clusters finished      p50 ${med(r => r.fullProfile.p50).toFixed(
        2,
      )} s, p90 ${med(r => r.fullProfile.p90).toFixed(
        2,
      )} s into the full pass; event loop ${(
        med(r => r.full.elu) * 100
      ).toFixed(0)}% busy; ${med(
        r => r.full.connections,
      )} TLS connections for ${med(r => r.full.rates.requests)} requests`,
    );
  } finally {
    await knex.destroy();
    await admin.raw('drop database if exists ?? with (force)', [dbName]);
    await admin.destroy();
  }
  process.exitCode = failedTargets ? 1 : 0;
}

main().catch(error => {
  console.error(error);
  process.exitCode = 2;
});
