#!/usr/bin/env node
// Throughput benchmark of the Kubernetes API double: starts it as its own
// process (packages/testing/bin/kube-api.js), then hammers an authenticated
// GET of one ConfigMap with autocannon. Exits non-zero below the target.
//
//   node bench/doubles/kube.mjs [--duration 5] [--runs 3] [--connections 16]
import { spawn } from 'node:child_process';
import { request } from 'node:https';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const TARGET_RPS = 2000;
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const duration = opt('duration', 5);
const runs = opt('runs', 3);
const connections = opt('connections', 16);

const child = spawn(
  process.execPath,
  [join(root, 'packages/testing/bin/kube-api.js'), '--port', '0'],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
const stopChild = () => {
  if (child.exitCode === null && child.signalCode === null)
    child.kill('SIGTERM');
};
process.on('exit', stopChild);

function firstLine(stream) {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: stream });
    rl.once('line', line => {
      rl.close();
      resolve(line);
    });
    child.once('exit', code =>
      reject(new Error(`kube-api exited early (code ${code})`)),
    );
  });
}

// A request with full TLS verification against the double's CA.
function call(info, method, path, body) {
  return new Promise((resolve, reject) => {
    const payload = body ? JSON.stringify(body) : undefined;
    const req = request(
      `${info.url}${path}`,
      {
        method,
        ca: Buffer.from(info.caData, 'base64'),
        headers: {
          authorization: `Bearer ${info.token}`,
          'content-type': 'application/json',
        },
      },
      res => {
        let text = '';
        res.on('data', c => (text += c));
        res.on('end', () => resolve({ status: res.statusCode, text }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

function cannon(info, path, seconds) {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `${info.url}${path}`,
        connections,
        duration: seconds,
        headers: { authorization: `Bearer ${info.token}` },
        // autocannon itself does not verify certificates; the preflight above did.
        tlsOptions: { ca: Buffer.from(info.caData, 'base64') },
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
  });
}

const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

try {
  const info = JSON.parse(await firstLine(child.stdout));
  const created = await call(
    info,
    'POST',
    '/api/v1/namespaces/default/configmaps',
    {
      metadata: { name: 'bench' },
      data: { key: 'value' },
    },
  );
  if (created.status !== 201)
    throw new Error(`setup failed: ${created.status} ${created.text}`);
  const path = '/api/v1/namespaces/default/configmaps/bench';
  const check = await call(info, 'GET', path);
  if (check.status !== 200)
    throw new Error(`preflight GET failed: ${check.status}`);

  await cannon(info, path, 1); // warm-up
  const rates = [];
  for (let i = 0; i < runs; i++) {
    const r = await cannon(info, path, duration);
    const bad = r.non2xx + r.errors + r.timeouts;
    if (bad > 0) throw new Error(`run ${i + 1}: ${bad} failed requests`);
    rates.push(r.requests.average);
    console.log(
      `run ${i + 1}: ${Math.round(r.requests.average)} req/s (p99 ${
        r.latency.p99
      } ms)`,
    );
  }
  const med = median(rates);
  const ok = med >= TARGET_RPS;
  console.log(
    `kube double GET configmap: median ${Math.round(
      med,
    )} req/s (target >= ${TARGET_RPS}) ${ok ? 'OK' : 'BELOW TARGET'}`,
  );
  process.exitCode = ok ? 0 : 1;
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  stopChild();
}
