// Starts the portal the way a user does (`npm start`, i.e. scripts/portal.sh)
// on a free port with its own data directory, and stops it with its process group.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopProcessGroup } from './process.mjs';

export const repoRoot = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../..',
);

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * @param {object} options
 * @param {'start' | 'start-production'} [options.command]
 * @param {string} [options.config] extra YAML appended after the port settings
 * @param {Record<string, string>} [options.env]
 * @param {boolean} [options.waitForReady] default true
 */
export async function startPortal(options = {}) {
  const port = await freePort();
  const url = `http://localhost:${port}`;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'portal-e2e-'));
  const configFile = path.join(dir, 'app-config.e2e.yaml');
  await fs.writeFile(
    configFile,
    [
      `app:\n  baseUrl: ${url}`,
      `backend:\n  baseUrl: ${url}\n  listen:\n    port: ${port}\n  cors:\n    origin: ${url}` +
        (options.command === 'start-production'
          ? ''
          : `\n  database:\n    client: better-sqlite3\n    connection:\n      directory: ${dir}/sqlite\n  workingDirectory: ${dir}`),
      options.config ?? '',
    ].join('\n'),
  );

  const child = spawn(
    'bash',
    [
      path.join(repoRoot, 'scripts/portal.sh'),
      options.command ?? 'start',
      '--config',
      configFile,
    ],
    {
      cwd: repoRoot,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env },
    },
  );
  let output = '';
  child.stdout.on('data', d => (output += d));
  child.stderr.on('data', d => (output += d));
  const exited = new Promise(resolve =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );

  const portal = {
    url,
    port,
    dir,
    pid: child.pid,
    /** The project's config file that production mode reads. */
    repoConfig: path.join(repoRoot, 'app-config.production.yaml'),
    exited,
    output: () => output,
    async stop() {
      await stopProcessGroup(child, exited, 10_000);
      await fs.rm(dir, { recursive: true, force: true });
    },
  };

  if (options.waitForReady !== false) {
    try {
      await waitForReady(portal);
    } catch (error) {
      await portal.stop();
      throw error;
    }
  }
  return portal;
}

export async function waitForReady(portal, timeoutMs = 180_000) {
  const started = Date.now();
  let done = false;
  portal.exited.then(() => (done = true));
  while (Date.now() - started < timeoutMs) {
    if (done) {
      throw new Error(
        `the portal exited before it was ready:\n${portal.output()}`,
      );
    }
    try {
      const res = await fetch(`${portal.url}/.backstage/health/v1/readiness`);
      if (res.ok) return Date.now() - started;
    } catch {
      // not listening yet
    }
    await new Promise(r => setTimeout(r, 250));
  }
  throw new Error(
    `the portal was not ready within ${timeoutMs} ms:\n${portal.output()}`,
  );
}

/**
 * The portal's HTTP API as a signed-in user: `api(path, init)` answers
 * `{ status, body }`, the body parsed as JSON when it is JSON. The portal and
 * the token are read at each call (tests get them in `before`).
 *
 * @param {() => { url: string }} getPortal
 * @param {() => string} getToken
 */
export function portalApi(getPortal, getToken) {
  return async (path, init = {}) => {
    const res = await fetch(`${getPortal().url}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${getToken()}`,
        ...(init.body ? { 'content-type': 'application/json' } : {}),
        ...init.headers,
      },
    });
    const text = await res.text();
    let body;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    return { status: res.status, body };
  };
}
