// bench/startup: cold start to readiness and RSS after start, for the portal
// and for a bare Backstage backend with the same core plugins, side by side.
// Each run gets a fresh SQLite directory (migrations included) and a free port;
// the two backends alternate so that machine noise hits both alike.
//   node bench/startup/run.mjs [--runs 5]
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { freePort, repoRoot } from '../../e2e/lib/portal.mjs';
import { median, verdict } from '../lib/stats.mjs';
import YAML from 'yaml';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 5;
const require = createRequire(import.meta.url);
const transform = require.resolve(
  '@backstage/cli-node/config/nodeTransform.cjs',
);
const backendDir = path.join(repoRoot, 'packages/backend');
const entries = {
  portal: path.join(backendDir, 'src/index.ts'),
  bare: path.join(repoRoot, 'bench/startup/bare-backend.ts'),
};
const SETTLE_MS = 3000;
/** The window idle CPU is measured over, after the settle. */
const IDLE_MS = 10_000;

async function rssMiB(pid, field = 'VmRSS') {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)[1]) / 1024;
}

/** User + system CPU seconds a process has used (Linux, 100 ticks/s). */
async function cpuSeconds(pid) {
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function measure(name) {
  const port = await freePort();
  const dir = await fs.mkdtemp(
    path.join(os.tmpdir(), `bench-startup-${name}-`),
  );
  const config = path.join(dir, 'app-config.bench.yaml');
  const url = `http://localhost:${port}`;
  await fs.writeFile(
    config,
    `app:\n  baseUrl: ${url}\nbackend:\n  baseUrl: ${url}\n  listen:\n    port: ${port}\n` +
      `  database:\n    client: better-sqlite3\n    connection:\n      directory: ${dir}/sqlite\n` +
      `  workingDirectory: ${dir}\n` +
      `pipelinePortal:\n  clusters:\n    secrets:\n      database:\n        keys:\n` +
      `          - id: bench\n            secret: ${randomBytes(32).toString(
        'base64',
      )}\n`,
  );
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      '--enable-source-maps',
      '--require',
      transform,
      entries[name],
      '--config',
      path.join(repoRoot, 'app-config.yaml'),
      '--config',
      config,
    ],
    {
      cwd: backendDir,
      env: { ...process.env, NODE_ENV: 'development' },
      stdio: 'ignore',
    },
  );
  try {
    let readyMs;
    while (readyMs === undefined) {
      if (child.exitCode !== null)
        throw new Error(`${name} exited with ${child.exitCode}`);
      if (performance.now() - started > 120_000)
        throw new Error(`${name} not ready in 120 s`);
      try {
        const res = await fetch(`${url}/.backstage/health/v1/readiness`);
        if (res.ok) readyMs = performance.now() - started;
      } catch {
        // not listening yet
      }
      if (readyMs === undefined) await new Promise(r => setTimeout(r, 50));
    }
    const startCpu = await cpuSeconds(child.pid);
    await new Promise(r => setTimeout(r, SETTLE_MS));
    const rss = await rssMiB(child.pid);
    // Idle once settled: scheduled tasks, the catalog's processing loop.
    const settledCpu = await cpuSeconds(child.pid);
    await new Promise(r => setTimeout(r, IDLE_MS));
    return {
      readyMs,
      rss,
      peakRss: await rssMiB(child.pid, 'VmHWM'),
      startCpu,
      idleCores:
        ((await cpuSeconds(child.pid)) - settledCpu) / (IDLE_MS / 1000),
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise(r =>
      child.exitCode !== null ? r() : child.once('exit', r),
    );
    await fs.rm(dir, { recursive: true, force: true });
  }
}

const results = { portal: [], bare: [] };
for (let i = 0; i < runs; i++) {
  for (const name of ['portal', 'bare']) {
    const r = await measure(name);
    results[name].push(r);
    console.log(
      `run ${i + 1}/${runs} ${name.padEnd(6)} ready ${(
        r.readyMs / 1000
      ).toFixed(2)} s  RSS ${r.rss.toFixed(0)} MiB`,
    );
  }
}

const med = name => ({
  ready: median(results[name].map(r => r.readyMs)) / 1000,
  rss: median(results[name].map(r => r.rss)),
  peakRss: median(results[name].map(r => r.peakRss)),
  startCpu: median(results[name].map(r => r.startCpu)),
  idleCores: median(results[name].map(r => r.idleCores)),
});
const portal = med('portal');
const bare = med('bare');
const timeRatio = portal.ready / bare.ready;
const rssRatio = portal.rss / bare.rss;
console.log(
  `\nbench/startup: medians of ${runs} cold starts on SQLite (RSS ${
    SETTLE_MS / 1000
  } s after ready)`,
);
console.log(
  `  portal ready      ${portal.ready.toFixed(
    2,
  )} s   target < 10 s     ${verdict(portal.ready < 10)}`,
);
console.log(`  bare ready        ${bare.ready.toFixed(2)} s`);
console.log(
  `  ratio time        ${timeRatio.toFixed(3)}    target <= 1.2     ${verdict(
    timeRatio <= 1.2,
  )}`,
);
console.log(`  portal RSS        ${portal.rss.toFixed(0)} MiB`);
console.log(`  bare RSS          ${bare.rss.toFixed(0)} MiB`);
console.log(
  `  ratio RSS         ${rssRatio.toFixed(3)}    target <= 1.15    ${verdict(
    rssRatio <= 1.15,
  )}`,
);

// What the chart asks of Kubernetes, beside what one replica used here.
const chart = YAML.parse(
  await fs.readFile(
    path.join(repoRoot, 'deploy/helm/pipeline-portal/values.yaml'),
    'utf8',
  ),
);
const mib = q => {
  const m = /^(\d+(?:\.\d+)?)(Mi|Gi)$/.exec(String(q));
  return m ? Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1) : NaN;
};
const cores = q =>
  String(q).endsWith('m') ? Number(String(q).slice(0, -1)) / 1000 : Number(q);
const { requests, limits } = chart.resources;
console.log(
  `\nchart resources beside one replica (medians; development start with the TypeScript transform, above a built image's):`,
);
console.log(
  `  memory request    ${
    requests.memory
  }   RSS after start ${portal.rss.toFixed(
    0,
  )} MiB, peak ${portal.peakRss.toFixed(0)} MiB   ${verdict(
    mib(requests.memory) >= portal.rss,
  )} (request >= RSS after start)`,
);
console.log(
  `  memory limit      ${limits.memory}  peak ${portal.peakRss.toFixed(
    0,
  )} MiB   ${verdict(
    mib(limits.memory) >= 2 * portal.peakRss,
  )} (limit >= 2 x peak, room for load)`,
);
console.log(
  `  cpu request       ${requests.cpu}      start-up ${portal.startCpu.toFixed(
    1,
  )} CPU s (${(portal.startCpu / 180).toFixed(
    2,
  )} cores over the 180 s start-up budget), idle ${portal.idleCores.toFixed(
    3,
  )} cores (the ${IDLE_MS / 1000} s after)   ${verdict(
    cores(requests.cpu) >= Math.max(portal.idleCores, portal.startCpu / 180),
  )} (request >= idle and >= start-up CPU spread over the budget)`,
);
