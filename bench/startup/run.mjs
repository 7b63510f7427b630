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

async function rssMiB(pid) {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) / 1024;
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
    await new Promise(r => setTimeout(r, SETTLE_MS));
    return { readyMs, rss: await rssMiB(child.pid) };
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
