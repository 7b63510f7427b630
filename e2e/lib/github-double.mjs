// Runs github-double.ts as its own process and hands back how to reach it.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { repoRoot } from './portal.mjs';

const require = createRequire(import.meta.url);
const transformHook = require.resolve(
  '@backstage/cli-node/config/nodeTransform.cjs',
  { paths: [repoRoot] },
);

/**
 * @param {object} [options]
 * @param {string[]} [options.orgs] organizations to create (default storefront)
 * @returns {Promise<{ url: string, webUrl: string, host: string, token: string, stop(): Promise<void>, output(): string }>}
 */
export async function startGitHubDouble(options = {}) {
  const child = spawn(
    process.execPath,
    [
      '--require',
      transformHook,
      path.join(repoRoot, 'e2e/lib/github-double.ts'),
    ],
    {
      cwd: repoRoot,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        GITHUB_ORGS: (options.orgs ?? ['storefront']).join(','),
      },
    },
  );
  let output = '';
  child.stderr.on('data', d => (output += d));
  const exited = new Promise(resolve => child.once('exit', resolve));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 5_000);
      await exited;
      clearTimeout(timer);
    }
  };

  const first = await new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(
      () => reject(new Error(`GitHub double did not start:\n${output}`)),
      60_000,
    );
    child.stdout.on('data', d => {
      buffer += d;
      const newline = buffer.indexOf('\n');
      if (newline >= 0) {
        clearTimeout(timer);
        resolve(buffer.slice(0, newline));
      }
    });
    exited.then(code => {
      clearTimeout(timer);
      reject(new Error(`GitHub double exited (${code}):\n${output}`));
    });
  }).catch(async error => {
    await stop();
    throw error;
  });
  const { url, webUrl, host, token } = JSON.parse(first);
  return { url, webUrl, host, token, stop, output: () => output };
}
