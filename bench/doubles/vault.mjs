// Benchmarks the Vault double (run as its own process) on an authenticated
// KV v2 read: 3 runs of 5 s after a warm-up; median requests/s against the
// target. Exits non-zero when below.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const TARGET = 2000;
const bin = fileURLToPath(
  new URL('../../packages/testing/bin/vault.js', import.meta.url),
);

const child = spawn(process.execPath, [bin], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const stop = () => child.kill('SIGTERM');
process.on('exit', stop);

const info = JSON.parse(
  await new Promise(resolve =>
    createInterface({ input: child.stdout }).once('line', resolve),
  ),
);
const headers = { 'x-vault-token': info.rootToken };
const written = await fetch(`${info.url}/v1/secret/data/bench/db`, {
  method: 'POST',
  headers: { ...headers, 'content-type': 'application/json' },
  body: JSON.stringify({ data: { username: 'app', password: 'hunter2' } }),
});
if (written.status !== 200)
  throw new Error(`secret write failed: ${written.status}`);

const run = duration =>
  autocannon({
    url: `${info.url}/v1/secret/data/bench/db`,
    headers,
    connections: 20,
    duration,
  });

await run(1);
const results = [];
for (let i = 0; i < 3; i++) {
  const r = await run(5);
  if (r.non2xx || r.errors)
    throw new Error(`run ${i + 1}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  results.push(r.requests.average);
}
const median = results.sort((a, b) => a - b)[1];
const ok = median >= TARGET;
console.log(
  `vault double GET /v1/secret/data/{path}: median ${Math.round(
    median,
  )} req/s (runs: ${results.map(Math.round).join(', ')}; target >= ${TARGET}) ${
    ok ? 'OK' : 'BELOW TARGET'
  }`,
);
stop();
process.exitCode = ok ? 0 : 1;
