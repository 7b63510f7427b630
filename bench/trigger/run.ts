/*
 * bench/trigger: GitHub push deliveries, signed by the GitHub double's
 * sender, through the real portal's events endpoint to PipelineRuns on the
 * Kubernetes double. Per run: a fixed-rate phase (latency from accepted to
 * PipelineRun created) and a burst phase (how fast deliveries are accepted
 * with bounded concurrency, and how fast they become runs). Every push
 * changes only application files, so reading `.tekton/` must cost no
 * primary quota. Loaded by run.mjs.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Portal, startBenchPortal } from './portal';
import {
  countRequests,
  GitHubCounts,
  percentile,
  median,
  sendAll,
} from './load';
import { cursor, PushCursor, startWorld, World } from './world';
import { summarizeProfile } from '../lib/cpuprofile';
import { CpuSplit, cpuSplit } from '../lib/cpu';
import { numberOption } from '../lib/options';

const opt = numberOption;
const RUNS = opt('runs', 3);
const REPOS = opt('repos', 10);
const RATE = opt('rate', 200);
const DURATION_S = opt('duration', 10);
const BURST = opt('burst', 2000);
const CONCURRENCY = opt('concurrency', 32);
const BURST_MAX_S = opt('burst-max', 30);
const CPU_PROF = process.argv.includes('--cpu-prof');
const DRAIN_TIMEOUT_MS = 90_000;
const TARGET = { rate: 200, p95: 250, primary: 0 };
const repoRoot = path.resolve(__dirname, '../..');

const SHA = 'pipeline-portal.io/sha';

interface RunFigures {
  fixed: {
    sent: number;
    accepted: number;
    p50: number;
    p95: number;
    max: number;
  };
  burst: { accepted: number; perSecond: number; processedPerSecond: number };
  github: GitHubCounts & { quotaUsed: number };
  missing: number;
  refused: number;
  /** No answer within GitHub's 10 s (the sender gives up, as hookshot does). */
  timedOut: number;
  /** CPU per delivery accepted and turned into a run, both phases (ms). */
  cpu: CpuSplit;
}

async function main() {
  const perRun = RATE * DURATION_S + BURST;
  const commits = Math.ceil((perRun * RUNS + 200) / REPOS) + 2;
  const seeded = performance.now();
  const world = await startWorld({
    repoRoot,
    repos: REPOS,
    commitsPerRepo: commits,
  });
  console.log(
    `GitHub double: ${REPOS} repositories with the Node spotguide's .tekton/ and ${commits} commits each (${(
      (performance.now() - seeded) /
      1000
    ).toFixed(1)} s)`,
  );
  /** Time each PipelineRun appeared, by the sha it runs. */
  const created = new Map<string, number>();
  world.kube.react(
    { group: 'tekton.dev', kind: 'PipelineRun', on: 'create' },
    obj => {
      const sha = obj.metadata?.annotations?.[SHA];
      if (sha && !created.has(sha)) created.set(sha, performance.now());
    },
  );
  let portal: Portal | undefined;
  let failed = false;
  const profileDir = CPU_PROF
    ? await fs.mkdtemp(path.join(os.tmpdir(), 'bench-trigger-prof-'))
    : undefined;
  try {
    const started = performance.now();
    portal = await startBenchPortal(repoRoot, world, {
      log: console.log,
      nodeArgs: profileDir
        ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]
        : [],
    });
    console.log(
      `portal ready (runtime cluster imported, team namespace created, components registered from their repositories and bound) in ${(
        (performance.now() - started) /
        1000
      ).toFixed(1)} s on ${portal.database}`,
    );
    const next = cursor(world);
    // Warm-up, not measured: every repository's first push reads its
    // .tekton/ (a change as far as the portal knows), then some load.
    const warm = await phase(world, portal, created, next, {
      count: REPOS,
      rate: 50,
    });
    const warm2 = await phase(world, portal, created, next, {
      count: 200,
      rate: 100,
    });
    console.log(
      `warm-up: ${warm.accepted.length + warm2.accepted.length} deliveries, ${
        warm.missing + warm2.missing
      } without a run`,
    );
    const results: RunFigures[] = [];
    for (let i = 0; i < RUNS; i++) {
      const logStart = world.gh.requests.length;
      const used = world.gh.rateLimit.snapshot(world.gh.token).used;
      const cpu = cpuSplit(portal.child.pid!);
      const fixed = await phase(world, portal, created, next, {
        count: RATE * DURATION_S,
        rate: RATE,
        maxMs: DURATION_S * 1000,
      });
      const burst = await phase(world, portal, created, next, {
        count: BURST,
        maxMs: BURST_MAX_S * 1000,
      });
      const spent = cpu();
      const delivered =
        fixed.accepted.length -
        fixed.missing +
        burst.accepted.length -
        burst.missing;
      const perDelivery = (ms: number) => ms / Math.max(1, delivered);
      const github = countRequests(world.gh.requests.slice(logStart));
      const quotaUsed = world.gh.rateLimit.snapshot(world.gh.token).used - used;
      const lat = fixed.latencies;
      const r: RunFigures = {
        fixed: {
          sent: fixed.sent,
          accepted: fixed.acceptedPerSecond,
          p50: percentile(lat, 50),
          p95: percentile(lat, 95),
          max: percentile(lat, 100),
        },
        burst: {
          accepted: burst.accepted.length,
          perSecond: burst.acceptedPerSecond,
          processedPerSecond: burst.processedPerSecond,
        },
        github: { ...github, quotaUsed },
        missing: fixed.missing + burst.missing,
        refused: fixed.refused + burst.refused,
        timedOut: fixed.timedOut + burst.timedOut,
        cpu: {
          portal: perDelivery(spent.portal),
          postgres: perDelivery(spent.postgres),
          bench: perDelivery(spent.bench),
        },
      };
      results.push(r);
      console.log(
        `run ${i + 1}/${RUNS}: ${RATE}/s offered (${
          r.fixed.sent
        } sent in ${DURATION_S} s) -> ${r.fixed.accepted.toFixed(
          0,
        )}/s accepted, accepted->run p50 ${r.fixed.p50.toFixed(
          0,
        )} ms p95 ${r.fixed.p95.toFixed(0)} ms max ${r.fixed.max.toFixed(
          0,
        )} ms; burst of ${BURST} (${CONCURRENCY} in flight) ${r.burst.perSecond.toFixed(
          0,
        )}/s accepted, ${r.burst.processedPerSecond.toFixed(
          0,
        )}/s turned into runs; CPU per delivery: portal ${r.cpu.portal.toFixed(
          2,
        )} ms, PostgreSQL ${r.cpu.postgres.toFixed(
          2,
        )} ms, bench and doubles ${r.cpu.bench.toFixed(2)} ms; .tekton/ reads ${
          github.tektonPrimary
        } primary, ${github.tektonNotModified} 304; statuses ${
          github.statusWrites
        }; quota used ${quotaUsed}; ${r.timedOut} unanswered in 10 s, ${
          r.refused - r.timedOut
        } refused, ${r.missing} without a run`,
      );
    }
    failed = report(results);
  } catch (error) {
    failed = true;
    console.error(error);
    if (portal) console.error(portal.output().slice(-4000));
  } finally {
    await portal?.stop();
    if (profileDir) await printProfile(profileDir);
    await world.close();
  }
  process.exitCode = failed ? 1 : 0;
}

async function phase(
  world: World,
  portal: Portal,
  created: Map<string, number>,
  next: PushCursor,
  options: { count: number; rate?: number; maxMs?: number },
) {
  const pushes = Array.from({ length: options.count }, () => next());
  const sent = await sendAll(
    pushes.map(({ repo, i }) => ({
      sha: repo.shas[i],
      payload: world.push(repo, i),
    })),
    {
      send: payload =>
        world.gh.sendWebhook(
          { url: portal.webhookUrl, secret: portal.secret },
          'push',
          payload,
        ),
      rate: options.rate,
      concurrency: CONCURRENCY,
      maxMs: options.maxMs,
    },
  );
  // Sends stop at the phase's end: the pushes not sent are the next
  // phase's first, not skipped.
  next.giveBack(pushes.slice(sent.length));
  const accepted = sent.filter(s => s.status === 202);
  const deadline = performance.now() + DRAIN_TIMEOUT_MS;
  while (
    accepted.some(s => !created.has(s.sha)) &&
    performance.now() < deadline &&
    !portal.exited()
  ) {
    await new Promise(r => setTimeout(r, 20));
  }
  const done = accepted.filter(s => created.has(s.sha));
  const latencies = done.map(s =>
    Math.max(0, created.get(s.sha)! - s.acceptedAt),
  );
  const first = Math.min(...sent.map(s => s.sentAt));
  const lastAccepted = Math.max(...accepted.map(s => s.acceptedAt));
  const lastRun = Math.max(...done.map(s => created.get(s.sha)!));
  return {
    accepted,
    refused: sent.length - accepted.length,
    timedOut: sent.filter(s => s.status === undefined).length,
    missing: accepted.length - done.length,
    latencies,
    sent: sent.length,
    acceptedPerSecond: (accepted.length / (lastAccepted - first)) * 1000,
    processedPerSecond: (done.length / (lastRun - first)) * 1000,
  };
}

function report(results: RunFigures[]): boolean {
  const m = (f: (r: RunFigures) => number) => median(results.map(f));
  const runs = (f: (r: RunFigures) => number, digits = 0) =>
    results.map(r => f(r).toFixed(digits)).join(', ');
  const rate = m(r => r.burst.perSecond);
  const p95 = m(r => r.fixed.p95);
  const primary = Math.max(...results.map(r => r.github.tektonPrimary));
  const lost = Math.max(...results.map(r => r.missing + r.refused));
  const verdict = (ok: boolean) => (ok ? 'meets target' : 'MISSES target');
  console.log(
    `\nbench/trigger: medians of ${RUNS} runs (${REPOS} repositories, pushes to main, one build run each)`,
  );
  console.log(
    `  deliveries/s accepted (burst, ${CONCURRENCY} in flight): ${rate.toFixed(
      0,
    )} (runs: ${runs(r => r.burst.perSecond)}); target >= ${
      TARGET.rate
    }: ${verdict(rate >= TARGET.rate)}`,
  );
  console.log(
    `  deliveries/s turned into PipelineRuns (same burst): ${m(
      r => r.burst.processedPerSecond,
    ).toFixed(0)} (runs: ${runs(r => r.burst.processedPerSecond)})`,
  );
  console.log(
    `  accepted -> PipelineRun created at ${RATE}/s for ${DURATION_S} s: p50 ${m(
      r => r.fixed.p50,
    ).toFixed(0)} ms, p95 ${p95.toFixed(0)} ms (runs: ${runs(
      r => r.fixed.p95,
    )}); target p95 < ${TARGET.p95} ms: ${verdict(p95 < TARGET.p95)}`,
  );
  console.log(
    `  primary-quota requests reading .tekton/ of repositories whose .tekton/ did not change: ${primary} (worst run; 304s: ${runs(
      r => r.github.tektonNotModified,
    )}); target ${TARGET.primary}: ${verdict(primary === TARGET.primary)}`,
  );
  console.log(
    `  other primary-quota requests per run: commit statuses ${runs(
      r => r.github.statusWrites,
    )}, other ${runs(r => r.github.other)}; quota used per run ${runs(
      r => r.github.quotaUsed,
    )}`,
  );
  const cores = os.cpus().length;
  const cpuOf = (f: (r: RunFigures) => number) => m(f).toFixed(2);
  const total = m(r => r.cpu.portal + r.cpu.postgres + r.cpu.bench);
  console.log(
    `  CPU per delivery (both phases): portal ${cpuOf(
      r => r.cpu.portal,
    )} ms, PostgreSQL ${cpuOf(
      r => r.cpu.postgres,
    )} ms, this bench's sender and doubles ${cpuOf(
      r => r.cpu.bench,
    )} ms: ${total.toFixed(2)} ms in all, so ${cores} cores carry at most ${(
      (cores * 1000) /
      total
    ).toFixed(0)} deliveries/s end to end, and the portal alone on one core ${(
      1000 / m(r => r.cpu.portal)
    ).toFixed(0)}/s`,
  );
  console.log(
    `  deliveries not accepted (of them unanswered within 10 s) or without a run: ${lost} (worst run; unanswered per run: ${runs(
      r => r.timedOut,
    )})`,
  );
  return !(
    rate >= TARGET.rate &&
    p95 < TARGET.p95 &&
    primary === 0 &&
    lost === 0
  );
}

/** Where the backend's CPU went (`--cpu-prof`): by self time, and the engine's share. */
async function printProfile(dir: string) {
  const files = (await fs.readdir(dir)).filter(f => f.endsWith('.cpuprofile'));
  if (!files.length) {
    console.log(`no CPU profile was written to ${dir}`);
    return;
  }
  const file = path.join(dir, files[0]);
  const summary = await summarizeProfile(file, {
    root: repoRoot,
    top: 25,
    focus:
      /plugins\/spotguides|plugins\/pipeline-clusters|plugin-catalog-backend|plugin-events/,
  });
  const ms = (v: number) => `${v.toFixed(0)} ms`.padStart(9);
  console.log(
    `\nCPU profile of the backend (${file}): ${(
      summary.durationMs / 1000
    ).toFixed(1)} s, ${(summary.busyMs / 1000).toFixed(1)} s busy`,
  );
  console.log('  by self time:');
  for (const f of summary.bySelf) console.log(`    ${ms(f.selfMs)}  ${f.fn}`);
  console.log("  the portal's plugins, the catalog and events, by total time:");
  for (const f of summary.focus) {
    console.log(`    ${ms(f.totalMs)} total, ${ms(f.selfMs)} self  ${f.fn}`);
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
