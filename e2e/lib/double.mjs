// Runs one of the TypeScript test doubles in e2e/lib as its own process (through
// Backstage's SWC require hook) and hands back the JSON line it prints on start.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { repoRoot } from './portal.mjs';
import { stopProcessGroup } from './process.mjs';

const require = createRequire(import.meta.url);
const transformHook = require.resolve(
  '@backstage/cli-node/config/nodeTransform.cjs',
  { paths: [repoRoot] },
);

/**
 * @param {string} name what the errors call it ("GitHub double")
 * @param {string} script the double's entry point, relative to e2e/lib
 * @param {Record<string, string>} env its settings
 * @returns {Promise<Record<string, string> & { stop(): Promise<void>, output(): string }>}
 */
export async function startDoubleProcess(name, script, env) {
  const child = spawn(
    process.execPath,
    ['--require', transformHook, path.join(repoRoot, 'e2e/lib', script)],
    {
      cwd: repoRoot,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    },
  );
  let output = '';
  child.stderr.on('data', d => (output += d));
  const exited = new Promise(resolve => child.once('exit', resolve));

  const stop = () => stopProcessGroup(child, exited, 5_000);

  const first = await new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(
      () => reject(new Error(`${name} did not start:\n${output}`)),
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
      reject(new Error(`${name} exited (${code}):\n${output}`));
    });
  }).catch(async error => {
    await stop();
    throw error;
  });
  return { ...JSON.parse(first), stop, output: () => output };
}
