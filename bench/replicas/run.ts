/*
 * bench/replicas: bench/trigger's world (GitHub and Kubernetes doubles, the
 * real backend, the production setup through the portal's APIs) with a
 * second replica of the backend on the same PostgreSQL databases.
 *
 * - Throughput: per run, a burst of signed push deliveries sent to one
 *   replica, then a burst of the same size spread over both; deliveries/s
 *   accepted and turned into PipelineRuns for each, and their ratio.
 * - Hand-over: the integrated-services reconcile pass made slow (each
 *   cluster's ServiceInstance list answered after 6 s) so that one replica
 *   is in the middle of a pass, a second replica started, then SIGTERM to
 *   the first; the gap is from the signal to the second replica's claim of
 *   the task (read from the scheduler's table).
 * Loaded by run.mjs.
 */
import knexFactory from 'knex';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { mapWithConcurrency } from '@pipeline-portal/backend-kit';
import { Portal, startBenchPortal, startPortal } from '../trigger/portal';
import { median, sendAll } from '../trigger/load';
import { BenchRepo, cursor, startWorld, World } from '../trigger/world';
import { numberOption } from '../lib/options';

const opt = numberOption;
const RUNS = opt('runs', 3);
const REPOS = opt('repos', 10);
const BURST = opt('burst', 1500);
const CONCURRENCY = opt('concurrency', 32);
const CADENCE_S = opt('cadence', 5);
/** Extra clusters, so that a slowed pass outlasts a replica's start. */
const EXTRA_CLUSTERS = 9;
const SLOW_MS = 6000;
const DRAIN_TIMEOUT_MS = 120_000;
const TARGET = { ratio: 1.6, gapS: CADENCE_S + 10 };
const repoRoot = path.resolve(__dirname, '../..');
const SHA = 'pipeline-portal.io/sha';
const TASK = 'integrated-services-reconcile';

const settings = {
  integratedServices: {
    reconcile: { intervalSeconds: CADENCE_S, concurrency: 1 },
  },
};

interface Burst {
  /** Share of the machine's CPU time busy during the burst (all cores). */
  cpuBusy: number;
  accepted: number;
  acceptedPerSecond: number;
  processedPerSecond: number;
  missing: number;
}

async function main() {
  const commits = Math.ceil((RUNS * BURST * 2 + 1200) / REPOS) + 2;
  const world = await startWorld({
    repoRoot,
    repos: REPOS,
    commitsPerRepo: commits,
  });
  console.log(
    `GitHub double: ${REPOS} repositories with the Node spotguide's .tekton/, ${commits} commits each`,
  );
  const created = new Map<string, number>();
  /** PipelineRuns created per sha: each delivery must make exactly one. */
  const runsPerSha = new Map<string, string[]>();
  world.kube.react(
    { group: 'tekton.dev', kind: 'PipelineRun', on: 'create' },
    obj => {
      const sha = obj.metadata?.annotations?.[SHA];
      if (!sha) return;
      const names = runsPerSha.get(sha) ?? [];
      names.push(
        `${obj.metadata?.name} (delivery ${obj.metadata?.annotations?.['pipeline-portal.io/delivery']})`,
      );
      runsPerSha.set(sha, names);
      if (!created.has(sha)) created.set(sha, performance.now());
    },
  );
  const next = cursor(world);
  const replicas: Portal[] = [];
  let primary: Portal | undefined;
  let failed = false;
  try {
    primary = await startBenchPortal(repoRoot, world, {
      log: console.log,
      pipelinePortal: settings,
    });
    const a = primary;
    const b = await startPortal(repoRoot, world, 'pg', {
      replicaOf: a,
      pipelinePortal: settings,
    });
    replicas.push(b);
    console.log(`two replicas ready on PostgreSQL (${a.prefix}*)`);
    // Warm-up, not measured: each repository's first push reads its
    // .tekton/; then both replicas' caches.
    await burst(world, [a], created, next, REPOS + 200);
    await burst(world, [a, b], created, next, 200);

    const runs: Array<{ one: Burst; two: Burst }> = [];
    for (let i = 0; i < RUNS; i++) {
      const one = await burst(world, [a], created, next, BURST);
      const two = await burst(world, [a, b], created, next, BURST);
      runs.push({ one, two });
      console.log(
        `run ${i + 1}/${RUNS}: one replica ${one.processedPerSecond.toFixed(
          0,
        )}/s into runs (${one.acceptedPerSecond.toFixed(
          0,
        )}/s accepted); two replicas ${two.processedPerSecond.toFixed(
          0,
        )}/s into runs (${two.acceptedPerSecond.toFixed(
          0,
        )}/s accepted); ratio ${(
          two.processedPerSecond / one.processedPerSecond
        ).toFixed(2)}; CPU busy ${(one.cpuBusy * 100).toFixed(0)} % and ${(
          two.cpuBusy * 100
        ).toFixed(0)} %; without a run: ${one.missing + two.missing}`,
      );
    }

    // A replica killed (SIGKILL) in the middle of a burst over both: the
    // other decides every delivery either accepted, each exactly once.
    const killed = await killHalfway(world, a, b, created, next);
    const repeated = [...runsPerSha.entries()].filter(
      ([, names]) => names.length > 1,
    );
    const duplicates = repeated.length;
    for (const [sha, names] of repeated.slice(0, 5)) {
      console.log(`  ${sha}: ${names.join(', ')}`);
    }
    console.log(
      `SIGKILL: ${killed.accepted} deliveries accepted by both, ${
        killed.missing
      } without a run; the last run ${killed.lastRunAfterKillS.toFixed(
        1,
      )} s after the kill; shas with more than one PipelineRun over the whole bench: ${duplicates}`,
    );

    // Hand-over: more clusters for the pass to go through, then per run one
    // replica alone in a slowed pass, another started, SIGTERM to the first.
    await importExtraClusters(a, world);
    await stopReplica(b);
    // Passes see the new clusters (the directory is read at each pass).
    await new Promise(r => setTimeout(r, 3 * CADENCE_S * 1000));
    let holder = a;
    const gaps: number[] = [];
    const tasks = knexFactory(primary.knexConfig('integrated-services'));
    try {
      const ticket = async (): Promise<string | undefined> =>
        (await tasks('backstage_backend_tasks__tasks').where({ id: TASK }))[0]
          ?.current_run_ticket ?? undefined;
      for (let i = 0; i < RUNS; i++) {
        const slow = world.kube.faults.add({
          path: '/serviceinstances',
          method: 'GET',
          latencyMs: SLOW_MS,
        });
        const ongoing = await ticket();
        // A pass that began after the fault (the last one may still be in
        // its slow tail): all of it is slow.
        const held = await waitFor(async () => {
          const t = await ticket();
          return t && t !== ongoing ? t : undefined;
        }, 180_000);
        const slowSince = performance.now();
        const successor = await startPortal(repoRoot, world, 'pg', {
          replicaOf: primary,
          pipelinePortal: settings,
        });
        replicas.push(successor);
        if ((await ticket()) !== held) {
          throw new Error(
            `the first replica finished its pass before the second was ready (${(
              (performance.now() - slowSince) /
              1000
            ).toFixed(1)} s after the pass began); raise the extra clusters`,
          );
        }
        const t0 = performance.now();
        holder.child.kill('SIGTERM');
        await waitFor(async () => {
          const t = await ticket();
          return t && t !== held ? t : undefined;
        }, 120_000);
        const gap = (performance.now() - t0) / 1000;
        slow.remove();
        gaps.push(gap);
        console.log(
          `hand-over ${i + 1}/${RUNS}: the task taken over ${gap.toFixed(
            1,
          )} s after SIGTERM`,
        );
        await stopReplica(holder);
        holder = successor;
      }
    } finally {
      await tasks.destroy();
    }
    failed = report(runs, gaps, killed, duplicates);
  } catch (error) {
    failed = true;
    console.error(error);
    for (const p of [primary, ...replicas]) {
      if (p && !p.exited()) console.error(p.output().slice(-3000));
    }
  } finally {
    for (const r of replicas) await r.stop();
    await primary?.stop();
    await world.close();
  }
  process.exitCode = failed ? 1 : 0;
}

/**
 * 200 deliveries over both replicas, SIGKILL to the second once they are
 * accepted (its queue of leased and unleased deliveries unfinished), then
 * 200 more to the first.
 */
async function killHalfway(
  world: World,
  a: Portal,
  b: Portal,
  created: Map<string, number>,
  next: () => { repo: BenchRepo; i: number },
) {
  const before = created.size;
  const first = await send(world, [a, b], next, 200);
  b.child.kill('SIGKILL');
  const killedAt = performance.now();
  const second = await send(world, [a], next, 200);
  const accepted = [...first, ...second].filter(s => s.status === 202);
  const deadline = performance.now() + DRAIN_TIMEOUT_MS;
  while (
    accepted.some(s => !created.has(s.sha)) &&
    performance.now() < deadline
  ) {
    await new Promise(r => setTimeout(r, 20));
  }
  const done = accepted.filter(s => created.has(s.sha));
  return {
    accepted: accepted.length,
    missing: accepted.length - done.length,
    runs: created.size - before,
    lastRunAfterKillS:
      (Math.max(...done.map(s => created.get(s.sha)!)) - killedAt) / 1000,
  };
}

/** SIGTERM (when still running) and its exit. */
async function stopReplica(p: Portal) {
  if (p.exited()) return;
  const exited = new Promise(r => p.child.once('exit', r));
  p.child.kill('SIGTERM');
  await exited;
}

async function importExtraClusters(portal: Portal, world: World) {
  const names = Array.from(
    { length: EXTRA_CLUSTERS },
    (_, i) => `bench-extra-${i + 1}`,
  );
  await mapWithConcurrency(names, 2, async name => {
    const res = await fetch(
      `${portal.url}/api/pipeline-clusters/clusters/import`,
      {
        method: 'POST',
        headers: { ...portal.guest, 'content-type': 'application/json' },
        body: JSON.stringify({
          name,
          owner: 'group:default/storefront',
          kubeconfig: world.kube.kubeConfigYaml,
        }),
      },
    );
    if (!res.ok)
      throw new Error(`import ${name}: ${res.status} ${await res.text()}`);
  });
}

/** `count` deliveries as fast as CONCURRENCY allows, spread over `portals`. */
async function send(
  world: World,
  portals: Portal[],
  next: () => { repo: BenchRepo; i: number },
  count: number,
) {
  const pushes = Array.from({ length: count }, (_, k) => ({
    ...next(),
    portal: portals[k % portals.length],
  }));
  const byPayload = new Map<unknown, Portal>();
  const items = pushes.map(({ repo, i, portal }) => {
    const payload = world.push(repo, i);
    byPayload.set(payload, portal);
    return { sha: repo.shas[i], payload };
  });
  return sendAll(items, {
    send: payload => {
      const portal = byPayload.get(payload)!;
      return world.gh.sendWebhook(
        { url: portal.webhookUrl, secret: portal.secret },
        'push',
        payload,
      );
    },
    concurrency: CONCURRENCY,
  });
}

/** A burst of `count` deliveries over `portals`, and what became of it. */
async function burst(
  world: World,
  portals: Portal[],
  created: Map<string, number>,
  next: () => { repo: BenchRepo; i: number },
  count: number,
): Promise<Burst> {
  const cpuBefore = cpuTimes();
  const sent = await send(world, portals, next, count);
  const accepted = sent.filter(s => s.status === 202);
  const deadline = performance.now() + DRAIN_TIMEOUT_MS;
  while (
    accepted.some(s => !created.has(s.sha)) &&
    performance.now() < deadline
  ) {
    await new Promise(r => setTimeout(r, 20));
  }
  const cpuAfter = cpuTimes();
  const done = accepted.filter(s => created.has(s.sha));
  const first = Math.min(...sent.map(s => s.sentAt));
  const lastAccepted = Math.max(...accepted.map(s => s.acceptedAt));
  const lastRun = Math.max(...done.map(s => created.get(s.sha)!));
  return {
    cpuBusy:
      1 - (cpuAfter.idle - cpuBefore.idle) / (cpuAfter.total - cpuBefore.total),
    accepted: accepted.length,
    acceptedPerSecond: (accepted.length / (lastAccepted - first)) * 1000,
    processedPerSecond: (done.length / (lastRun - first)) * 1000,
    missing: count - done.length,
  };
}

/** The machine's CPU time so far (all cores), from /proc/stat. */
function cpuTimes(): { idle: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  const idle = values[3] + (values[4] ?? 0);
  return { idle, total: values.slice(0, 8).reduce((a, b) => a + b, 0) };
}

async function waitFor<T>(
  fn: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const started = performance.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (performance.now() - started > timeoutMs) {
      throw new Error(`not within ${timeoutMs / 1000} s`);
    }
    await new Promise(r => setTimeout(r, 50));
  }
}

function report(
  runs: Array<{ one: Burst; two: Burst }>,
  gaps: number[],
  killed: { accepted: number; missing: number; lastRunAfterKillS: number },
  duplicates: number,
): boolean {
  const list = (values: number[], digits = 0) =>
    values.map(v => v.toFixed(digits)).join(', ');
  const one = runs.map(r => r.one.processedPerSecond);
  const two = runs.map(r => r.two.processedPerSecond);
  const ratios = runs.map(
    r => r.two.processedPerSecond / r.one.processedPerSecond,
  );
  const ratio = median(ratios);
  const gap = median(gaps);
  const lost = Math.max(...runs.map(r => r.one.missing + r.two.missing));
  const verdict = (ok: boolean) => (ok ? 'meets target' : 'MISSES target');
  console.log(
    `\nbench/replicas: medians of ${RUNS} runs (${REPOS} repositories, bursts of ${BURST} with ${CONCURRENCY} in flight)`,
  );
  console.log(
    `  deliveries/s turned into PipelineRuns, one replica: ${median(
      one,
    ).toFixed(0)} (runs: ${list(one)}); two replicas: ${median(two).toFixed(
      0,
    )} (runs: ${list(two)})`,
  );
  console.log(
    `  deliveries/s accepted, one replica: ${median(
      runs.map(r => r.one.acceptedPerSecond),
    ).toFixed(0)}; two replicas: ${median(
      runs.map(r => r.two.acceptedPerSecond),
    ).toFixed(0)}`,
  );
  console.log(
    `  the machine's CPU busy during the bursts (2 cores; backend, PostgreSQL, doubles and sender share them): one replica ${list(
      runs.map(r => r.one.cpuBusy * 100),
    )} %, two replicas ${list(runs.map(r => r.two.cpuBusy * 100))} %`,
  );
  console.log(
    `  ratio two / one: ${ratio.toFixed(2)} (runs: ${list(
      ratios,
      2,
    )}); target >= ${TARGET.ratio}: ${verdict(ratio >= TARGET.ratio)}`,
  );
  console.log(
    `  hand-over after SIGTERM to the replica in a pass: ${gap.toFixed(
      1,
    )} s (runs: ${list(
      gaps,
      1,
    )}); target < cadence ${CADENCE_S} s + 10 s: ${verdict(gap < TARGET.gapS)}`,
  );
  console.log(`  deliveries without a run (worst run): ${lost}`);
  console.log(
    `  a replica killed (SIGKILL) mid-burst: ${killed.missing} of ${
      killed.accepted
    } accepted deliveries without a run, the last run ${killed.lastRunAfterKillS.toFixed(
      1,
    )} s after the kill; shas with more than one PipelineRun: ${duplicates} (target 0 and 0)`,
  );
  return !(
    ratio >= TARGET.ratio &&
    gap < TARGET.gapS &&
    lost === 0 &&
    killed.missing === 0 &&
    duplicates === 0
  );
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
