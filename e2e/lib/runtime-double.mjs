// Runs runtime-double.ts as its own process and hands back how to reach it.
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
 * @param {number} [options.stepMs] how long a PipelineRun takes to start, then to end
 * @returns {Promise<{ url: string, caData: string, token: string, stop(): Promise<void>, output(): string }>}
 */
export async function startRuntimeDouble(options = {}) {
  const child = spawn(
    process.execPath,
    [
      '--require',
      transformHook,
      path.join(repoRoot, 'e2e/lib/runtime-double.ts'),
    ],
    {
      cwd: repoRoot,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        RUN_STEP_MS: String(options.stepMs ?? 1500),
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
      () => reject(new Error(`runtime double did not start:\n${output}`)),
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
      reject(new Error(`runtime double exited (${code}):\n${output}`));
    });
  }).catch(async error => {
    await stop();
    throw error;
  });
  const { url, caData, token } = JSON.parse(first);
  return { url, caData, token, stop, output: () => output };
}
