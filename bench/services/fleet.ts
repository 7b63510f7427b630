/*
 * bench/services fleet: the portal's FleetReconciler over 200 clusters x 8
 * integrated services (the shipped definitions) against the Kubernetes double
 * with 20 ms added to every request and Flux played, with the plugin's
 * defaults (concurrency, per-cluster request budget). The clusters are
 * doubles in processes of their own, a namespace per cluster; each cluster gets
 * its own connection (its own limiter and keep-alive agent), as in the
 * portal. The clusters are spread over --shards processes (1 by default): a
 * real fleet has an API server per cluster, one double process is a single
 * core serving them all. Measures
 *   - the activation pass: 1600 new ServiceInstances, each gets its Flux
 *     objects written and its status set (the pass the target applies to
 *     first, as the heaviest);
 *   - the passes until every instance is Ready;
 *   - a steady-state pass (drift checks) over the 1600 Ready instances;
 * each with its time against the 5 s target and the peak requests per second
 * any one cluster got (client side, from its limiter; bound: the budget).
 * Run through fleet.mjs.
 */
import { ConfigReader } from '@backstage/config';
import { RateLimiter } from '@pipeline-portal/backend-kit';
import {
  IntegratedServiceEntity,
  newestVersion,
  validateSpec,
} from '@pipeline-portal/plugin-integrated-services-common';
import { fork } from 'node:child_process';
import path from 'node:path';
import { readIntegratedServicesConfig } from '../../plugins/integrated-services/backend/src/config';
import { ClusterConnection } from '../../plugins/integrated-services/backend/src/core/ClusterConnection';
import { loadDefinitionFiles } from '../../plugins/integrated-services/backend/src/operator/definitionFiles';
import type { PortalCluster } from '../../plugins/integrated-services/backend/src/service/ClusterDirectory';
import { FleetReconciler } from '../../plugins/integrated-services/backend/src/service/FleetReconciler';
// @ts-ignore: a plain ES module without types
import { verdict } from '../lib/stats.mjs';

const args = process.argv.slice(2);
const opt = (name: string, def: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const CLUSTERS = opt('clusters', 200);
const LATENCY_MS = opt('latency', 20);
const TARGET_S = 5;
const SETTINGS = readIntegratedServicesConfig(new ConfigReader({}));
const CONCURRENCY = opt('concurrency', SETTINGS.concurrency);
// Processes the clusters are spread over (real clusters have an API server each).
const SHARDS = opt('shards', 1);
const BUDGET = opt('budget', SETTINGS.requestsPerSecondPerCluster);
const NS = 'pipeline-system';
// --trace prints, per pass, the server-side time of each kind of request.
const TRACE = args.includes('--trace');

/** The eight services and a valid spec of each. */
const SPECS: Record<string, Record<string, unknown>> = {
  'cert-manager': {},
  ingress: {},
  monitoring: {},
  policy: {},
  secrets: {},
  'vulnerability-scanning': {},
  logging: { output: 'loki' },
  dns: { provider: 'cloudflare', domainFilters: ['example.com'] },
};

/**
 * One cluster of the bench: a namespace of the shared double. Only the list
 * of ServiceInstances names a namespace the reconciler chose; every other
 * call follows the listed instance's own namespace.
 */
class BenchConnection extends ClusterConnection {
  constructor(
    name: string,
    private readonly namespace: string,
    kc: ConstructorParameters<typeof ClusterConnection>[1],
  ) {
    super(name, kc, { requestsPerSecond: BUDGET });
  }
  list<T extends any>(
    apiVersion: string,
    kind: string,
    namespace?: string,
    labelSelector?: string,
  ): Promise<T[]> {
    return super.list(
      apiVersion,
      kind,
      namespace === NS ? this.namespace : namespace,
      labelSelector,
    ) as Promise<T[]>;
  }
}

// Instrumentation only: when each cluster's limiter lets a request go.
const released = new Map<RateLimiter, number[]>();
const originalWait = RateLimiter.prototype.wait;
RateLimiter.prototype.wait = async function wait(this: RateLimiter) {
  await originalWait.call(this);
  (released.get(this) ?? released.set(this, []).get(this)!).push(Date.now());
};

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

async function startClusters(namespaces: string[]) {
  const child = fork(
    path.join(__dirname, 'fleet', 'fleetCluster.mjs'),
    [JSON.stringify(namespaces)],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  let next = 1;
  const pending = new Map<number, (m: any) => void>();
  const ready = new Promise<any>((resolve, reject) => {
    pending.set(0, resolve);
    child.once('exit', code => reject(new Error(`double exited: ${code}`)));
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
    call,
    close: () =>
      new Promise<void>(resolve => {
        child.once('exit', () => resolve());
        child.disconnect();
      }),
  };
}

async function main() {
  const { definitions } = loadDefinitionFiles(
    path.resolve(__dirname, '../../catalog/integrated-services'),
  );
  for (const [service, spec] of Object.entries(SPECS)) {
    const d = definitions.get(service);
    if (!d) throw new Error(`no definition of ${service}`);
    const check = validateSpec(newestVersion(d), spec);
    if (!check.valid) {
      throw new Error(`${service}: ${JSON.stringify(check.issues)}`);
    }
  }
  const names = Array.from(
    { length: CLUSTERS },
    (_, i) => `bc${String(i).padStart(3, '0')}`,
  );
  const shards = await Promise.all(
    Array.from({ length: SHARDS }, (_, k) =>
      startClusters(names.filter((_n, i) => i % SHARDS === k)),
    ),
  );
  const shardOf = (name: string) => shards[names.indexOf(name) % SHARDS];
  /** Sends a message to every shard; answers in shard order. */
  const all = (message: object) =>
    Promise.all(shards.map(shard => shard.call(message)));
  try {
    await Promise.all(
      shards.map((shard, k) =>
        shard.call({
          type: 'seed',
          namespaces: names.filter((_n, i) => i % SHARDS === k),
          instances: Object.entries(SPECS).map(([service, spec]) => ({
            service,
            spec,
          })),
        }),
      ),
    );
    await all({ type: 'latency', ms: LATENCY_MS });

    const clientNode = await import('@kubernetes/client-node');
    const connections = new Map<string, BenchConnection>();
    for (const name of names) {
      const kc = new clientNode.KubeConfig();
      kc.loadFromOptions({
        clusters: [
          { name, server: shardOf(name).url, caData: shardOf(name).caData },
        ],
        users: [{ name: 'portal', token: shardOf(name).token }],
        contexts: [{ name: 'c', cluster: name, user: 'portal' }],
        currentContext: 'c',
      });
      connections.set(name, new BenchConnection(name, name, kc));
    }
    const clusters: PortalCluster[] = names.map(name => ({
      name,
      owner: 'group:default/payments',
      phase: 'Running',
      updatedAt: '2026-12-06T00:00:00Z',
    }));
    const definitionMap = new Map<string, IntegratedServiceEntity>(definitions);
    const silent: any = {
      info() {},
      debug() {},
      warn(m: string) {
        console.error(m);
      },
      error(m: string) {
        console.error(m);
      },
      child: () => silent,
    };
    const fleet = new FleetReconciler({
      directory: {
        list: async () => clusters,
        get: async name => clusters.find(c => c.name === name)!,
        connect: async c => connections.get(c.name)!,
        // Every credential a spec names exists, with every key asked for.
        credential: async () =>
          new Proxy({} as Record<string, string>, {
            has: () => true,
            get: () => 'bench',
          }),
      },
      definitions: {
        all: async () => definitionMap,
        get: async name => definitionMap.get(name),
      },
      namespace: NS,
      concurrency: CONCURRENCY,
      baseBackoffMs: SETTINGS.baseBackoffMs,
      maxBackoffMs: SETTINGS.maxBackoffMs,
      logger: silent,
    });

    const pass = async (label: string) => {
      released.clear();
      const started = Date.now();
      const result = await fleet.runOnce();
      const seconds = (Date.now() - started) / 1000;
      const perCluster = [...released.values()];
      const requests = perCluster.reduce((n, ts) => n + ts.length, 0);
      const peak = Math.max(0, ...perCluster.map(ts => peakInWindow(ts)));
      const counts: Record<string, number> = {};
      for (const answer of await all({ type: 'phases' })) {
        for (const [phase, n] of Object.entries(answer.counts as object)) {
          counts[phase] = (counts[phase] ?? 0) + (n as number);
        }
      }
      if (TRACE) {
        const until = Date.now();
        const records = (
          await all({ type: 'log', since: started, until })
        ).flatMap(answer => answer.records);
        const byKind = new Map<string, number[]>();
        for (const r of records as Array<{
          method: string;
          path: string;
          durationMs: number;
        }>) {
          const kind = `${r.method} ${r.path
            .replace(/\/namespaces\/[^/]+/, '')
            .replace(/\/[^/]+(\/status)?$/, (_m, st) => `/*${st ?? ''}`)}`;
          (byKind.get(kind) ?? byKind.set(kind, []).get(kind)!).push(
            r.durationMs,
          );
        }
        for (const [kind, ds] of byKind) {
          const sorted = ds.sort((a, b) => a - b);
          console.log(
            `    ${kind}: ${ds.length}, server p50 ${sorted[
              Math.floor(ds.length / 2)
            ].toFixed(1)} ms, max ${sorted[ds.length - 1].toFixed(1)} ms`,
          );
        }
      }
      console.log(
        `  ${label}: ${seconds.toFixed(2)} s (target < ${TARGET_S} s: ${verdict(
          seconds < TARGET_S,
        )}); ${result.instances} instances, ${result.failed} failed, ${
          result.drifted
        } drift corrections, ${
          result.unreachable
        } clusters unreachable; ${requests} requests (${(
          requests / CLUSTERS
        ).toFixed(
          1,
        )}/cluster), peak ${peak} req/s per cluster (budget ${BUDGET}); phases ${JSON.stringify(
          counts,
        )}`,
      );
      return counts;
    };

    console.log(
      `bench/services fleet: ${CLUSTERS} clusters x ${
        Object.keys(SPECS).length
      } services on ${SHARDS} double processes, ${LATENCY_MS} ms added per request, concurrency ${CONCURRENCY}, budget ${BUDGET} req/s per cluster`,
    );
    await pass('activation pass');
    let counts: Record<string, number> = {};
    for (let n = 2; n < 12; n++) {
      counts = await pass(`pass ${n}`);
      if (counts.Ready === CLUSTERS * Object.keys(SPECS).length) break;
    }
    if (counts.Ready !== CLUSTERS * Object.keys(SPECS).length) {
      console.log('  not every instance became Ready');
    }
    await pass('steady-state pass');
  } finally {
    await Promise.all(shards.map(shard => shard.close()));
  }
}

main().then(
  () => process.exit(0),
  error => {
    console.error(error);
    process.exit(1);
  },
);
