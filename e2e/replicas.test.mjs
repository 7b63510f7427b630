// Several replicas as one service: production-mode processes on one
// PostgreSQL database set, as the chart runs them. They start together, run
// each global task once per cadence between them, hand a task over within
// seconds when the one running it is stopped, and a replica that cannot
// start exits instead of staying half alive.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { sleep, eventually } from './lib/eventually.mjs';
import {
  freePort,
  repoRoot,
  startPortal,
  waitForReady,
} from './lib/portal.mjs';
import {
  dropDatabases,
  postgresUrl,
  productionEnv,
} from './lib/production.mjs';

// The Kubernetes double runs in this process, so the test reads the requests
// it received and injects latency.
const require = createRequire(import.meta.url);
require(require.resolve('@backstage/cli-node/config/nodeTransform.cjs', {
  paths: [repoRoot],
}));
const { startKubeApi, FLUX_CRDS } = require(path.join(
  repoRoot,
  'packages/testing/src/kube',
));

const INSTANCE_CRD = path.join(
  repoRoot,
  'plugins/integrated-services/backend/crds/serviceinstances.integratedservices.pipeline-portal.io.yaml',
);
const OWNER = 'group:default/storefront';
/** The integrated-services reconcile pass's cadence here, in seconds. */
const CADENCE = 4;
const CLUSTERS = 6;

/** Test settings beside app-config.production.yaml. */
function replicaConfig(prefix, interval = CADENCE) {
  return `  database:
    prefix: ${prefix}
auth:
  providers:
    guest:
      userEntityRef: user:default/guest
      dangerouslyAllowOutsideDevelopment: true
pipelinePortal:
  permission:
    admins: [user:default/guest]
  clusters:
    import:
      allowedCidrs: ['127.0.0.0/8']
  integratedServices:
    reconcile:
      intervalSeconds: ${interval}
      concurrency: 1
`;
}

async function connectionsOf(prefix) {
  const client = new pg.Client({
    connectionString: postgresUrl,
    database: 'postgres',
  });
  await client.connect();
  try {
    const { rows } = await client.query(
      'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname LIKE $1',
      [`${prefix}%`],
    );
    return rows[0].n;
  } finally {
    await client.end();
  }
}

describe('replicas', { timeout: 900_000 }, () => {
  const prefixes = [];
  const started = [];
  const newPrefix = () => {
    const prefix = `portal_rep_${randomBytes(4).toString('hex')}_`;
    prefixes.push(prefix);
    return prefix;
  };
  const start = async (prefix, env, options = {}) => {
    // Each replica serves its Prometheus metrics on a port of its own.
    const metricsPort = await freePort();
    const portal = await startPortal({
      command: 'start-production',
      config: options.config ?? replicaConfig(prefix),
      env: { ...env, PORTAL_METRICS_PORT: String(metricsPort) },
      waitForReady: false,
    });
    portal.metrics = async () => {
      const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      assert.equal(res.status, 200);
      return res.text();
    };
    started.push(portal);
    return portal;
  };
  after(async () => {
    await Promise.all(started.map(p => p.stop()));
    for (const prefix of prefixes) await dropDatabases(prefix);
  });

  it('two replicas started at the same moment on an empty database both become ready, five times out of five', async () => {
    for (let round = 1; round <= 5; round++) {
      const prefix = newPrefix();
      const env = productionEnv();
      const pair = await Promise.all([start(prefix, env), start(prefix, env)]);
      const results = await Promise.allSettled(
        pair.map(p => waitForReady(p, 240_000)),
      );
      for (const [i, r] of results.entries()) {
        assert.equal(
          r.status,
          'fulfilled',
          `round ${round}, replica ${i + 1}: ${r.reason?.message}`,
        );
      }
      for (const p of pair) {
        assert.doesNotMatch(p.output(), /MigrationLocked|already exists/);
        // Every replica is on the events bus, not only its own events.
        assert.doesNotMatch(p.output(), /events backend not found/);
      }
      // Both replicas hold their pools within what the chart is sized for.
      const connections = await connectionsOf(prefix);
      process.stdout.write(
        `# round ${round}: both ready; ${connections} PostgreSQL connections for two replicas\n`,
      );
      assert.ok(connections <= 60, `${connections} connections`);
      await Promise.all(pair.map(p => p.stop()));
      await dropDatabases(prefix);
    }
  });

  describe('a global task', () => {
    const prefix = newPrefix();
    const env = productionEnv();
    let kube;
    let a;
    let b;
    const lists = () =>
      kube.requests.count(
        r =>
          r.method === 'GET' &&
          !r.watch &&
          r.path.endsWith('/namespaces/pipeline-system/serviceinstances'),
      );

    /**
     * Each cluster answering after 6 s (a pass over them takes 36 s), and
     * the reconcile task's row as the scheduler keeps it.
     */
    const slowPasses = async () => {
      const slow = kube.faults.add({
        path: '/serviceinstances',
        method: 'GET',
        latencyMs: 6000,
      });
      const url = new URL(postgresUrl);
      url.pathname = `/${prefix}integrated-services`;
      const client = new pg.Client({ connectionString: url.href });
      await client.connect();
      const task = async () =>
        (
          await client.query(
            "SELECT current_run_ticket, settings_json FROM backstage_backend_tasks__tasks WHERE id = 'integrated-services-reconcile'",
          )
        ).rows[0];
      return { slow, client, task };
    };

    before(async () => {
      kube = await startKubeApi({
        crds: [...FLUX_CRDS, INSTANCE_CRD],
        namespaces: ['pipeline-system'],
      });
      a = await start(prefix, env);
      await waitForReady(a, 240_000);
      const signIn = await fetch(`${a.url}/api/auth/guest/refresh`, {
        headers: { 'x-requested-with': 'XMLHttpRequest' },
      });
      assert.equal(signIn.status, 200, 'guest sign-in');
      const token = (await signIn.json()).backstageIdentity.token;
      for (let i = 1; i <= CLUSTERS; i++) {
        const res = await fetch(
          `${a.url}/api/pipeline-clusters/clusters/import`,
          {
            method: 'POST',
            headers: {
              authorization: `Bearer ${token}`,
              'content-type': 'application/json',
            },
            body: JSON.stringify({
              name: `shop-${i}`,
              owner: OWNER,
              kubeconfig: kube.kubeConfigYaml,
            }),
          },
        );
        assert.equal(res.status, 201, await res.text());
      }
      // Passes reach every cluster.
      await eventually(
        'a pass over the imported clusters',
        async () => lists() >= CLUSTERS,
        { timeoutMs: 60_000 },
      );
    });
    after(async () => {
      await kube?.close();
    });

    it('runs once per cadence across two replicas, counted at the cluster and in their metrics', async () => {
      b = await start(prefix, env);
      await waitForReady(b, 240_000);
      // Passes counted by both replicas' Prometheus metrics.
      const counted = async () => {
        const scraped = await Promise.all([a.metrics(), b.metrics()]);
        const series =
          /^pipeline_portal_reconcile_passes_total\{[^}]*reconciler="integrated-services"[^}]*\} (\S+)/gm;
        return scraped
          .flatMap(text => [...text.matchAll(series)])
          .reduce((n, m) => n + Number(m[1]), 0);
      };
      const windowS = 8 * CADENCE;
      const before = lists();
      const countedBefore = await counted();
      await sleep(windowS * 1000);
      const passes = (lists() - before) / CLUSTERS;
      const countedPasses = (await counted()) - countedBefore;
      process.stdout.write(
        `# ${passes} passes in ${windowS} s at a cadence of ${CADENCE} s (the metrics count ${countedPasses})\n`,
      );
      // One replica at a time: about window / cadence passes, never twice that.
      assert.ok(
        passes >= windowS / CADENCE - 3 && passes <= windowS / CADENCE + 1,
        `${passes} passes in ${windowS} s`,
      );
      // A pass straddling either end of the window counts on one side only.
      assert.ok(
        Math.abs(countedPasses - passes) <= 1,
        `metrics count ${countedPasses} passes, the cluster saw ${passes}`,
      );
      const scraped = await a.metrics();
      assert.match(scraped, /^backend_tasks_task_runs_count_total\{/m);
      assert.match(scraped, /^pipeline_portal_trigger_queue_depth\{/m);
    });

    it('is run by the other replica within one cadence and 10 s when the one running it gets SIGTERM mid-pass', async () => {
      // Stop B: A alone holds the task and is in the middle of a pass when
      // B comes back, each cluster answering after 6 s (the pass takes 36 s).
      await b.stop();
      const { slow, client, task } = await slowPasses();
      const claim = async () => (await task())?.current_run_ticket;
      try {
        // A pass that began after the latency: all of it is slow.
        const ongoing = await claim();
        const ticket = await eventually(
          'A in a slow pass',
          async () => {
            const now = await claim();
            return now && now !== ongoing ? now : undefined;
          },
          { timeoutMs: 60_000, everyMs: 50 },
        );
        b = await start(prefix, env);
        await waitForReady(b, 240_000);
        // Still A's pass: B's scheduler could not claim the task meanwhile.
        assert.equal(await claim(), ticket, 'A is still in the same pass');
        const t0 = Date.now();
        process.kill(-a.pid, 'SIGTERM');
        // B claims the task (a new ticket; its pass is slow too, so the
        // claim is seen) long before A's claim would have timed out (2 min).
        await eventually(
          'the task claimed by the replica left',
          async () => {
            const now = await claim();
            return now && now !== ticket;
          },
          { timeoutMs: (CADENCE + 10) * 1000, everyMs: 50 },
        );
        const gapS = (Date.now() - t0) / 1000;
        const exit = await a.exited;
        const stopS = (Date.now() - t0) / 1000;
        slow.remove();
        process.stdout.write(
          `# SIGTERM: B took the task over ${gapS.toFixed(
            1,
          )} s after the signal; A exited (${exit.code}) after ${stopS.toFixed(
            1,
          )} s\n`,
        );
        const shutdownLog = a
          .output()
          .split('\n')
          .filter(l => /handed|abandon|Shutdown/i.test(l))
          .join('\n');
        assert.ok(gapS < CADENCE + 10, shutdownLog);
        assert.equal(exit.code, 0, shutdownLog);
        // Within the shutdown budget (15 s) and its own margin.
        assert.ok(stopS < 20, `A took ${stopS} s to stop`);
      } finally {
        await client.end();
      }
    });

    it("is run by the other replica within the task's timeout when the one running it is killed mid-pass", async () => {
      // B alone holds the task now; a slow pass begins, A comes back, and B
      // is killed: nothing hands the claim back, so it lasts until the
      // timeout the task set (close to a pass's worst case, not 10 min).
      const { slow, client, task } = await slowPasses();
      try {
        const timeoutS =
          Number(
            /^PT(\d+)M$/.exec(
              JSON.parse((await task()).settings_json).timeoutAfterDuration,
            )?.[1] ?? NaN,
          ) * 60;
        assert.ok(timeoutS > 0 && timeoutS < 600, `task timeout ${timeoutS} s`);
        const ongoing = (await task()).current_run_ticket;
        const ticket = await eventually(
          'B in a slow pass',
          async () => {
            const now = (await task()).current_run_ticket;
            return now && now !== ongoing ? now : undefined;
          },
          { timeoutMs: 60_000, everyMs: 50 },
        );
        a = await start(prefix, env);
        await waitForReady(a, 240_000);
        assert.equal(
          (await task()).current_run_ticket,
          ticket,
          'B is still in the same pass',
        );
        slow.remove();
        const t0 = Date.now();
        process.kill(-b.pid, 'SIGKILL');
        await b.exited;
        await eventually(
          'the task claimed by the replica left',
          async () => {
            const now = (await task()).current_run_ticket;
            return now && now !== ticket;
          },
          { timeoutMs: (timeoutS + CADENCE + 10) * 1000, everyMs: 200 },
        );
        const gapS = (Date.now() - t0) / 1000;
        process.stdout.write(
          `# SIGKILL: A took the task over ${gapS.toFixed(
            1,
          )} s after the kill (the task's timeout is ${timeoutS} s)\n`,
        );
        assert.ok(gapS < timeoutS + CADENCE + 10, `${gapS} s`);
      } finally {
        slow.remove();
        await client.end();
      }
    });
  });

  it('a replica whose plugin cannot start exits non-zero with one line naming the plugin, within its start-up budget', async () => {
    const prefix = newPrefix();
    const t0 = Date.now();
    const broken = await start(prefix, productionEnv(), {
      config: replicaConfig(prefix, 'not-a-number'),
    });
    const { code } = await broken.exited;
    const seconds = (Date.now() - t0) / 1000;
    assert.equal(code, 1, broken.output());
    assert.ok(seconds < 180, `exited after ${seconds} s`);
    const failures = broken
      .output()
      .split('\n')
      .filter(l => l.startsWith('Start-up failed'));
    assert.equal(failures.length, 1, broken.output());
    assert.match(
      failures[0],
      /^Start-up failed: plugin 'integrated-services': .*pipelinePortal\.integratedServices\.reconcile\.intervalSeconds/,
    );
  });
});
