import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface LintProblem {
  message: string;
  rule: string;
  level: 'error' | 'warning';
  path: string;
}

const CLI = require.resolve('@ibm/tekton-lint/dist/lint.js');

/**
 * Runs the real `tekton-lint` CLI (an ES module, so in its own process) over
 * the files with its default rules; returns errors and warnings alike.
 */
export async function tektonLint(files: string[]): Promise<LintProblem[]> {
  // An empty config directory: the default rules, whatever the cwd holds.
  const configDir = await fs.mkdtemp(path.join(os.tmpdir(), 'tekton-lint-'));
  try {
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        [CLI, '--format', 'json', '--config', configDir, ...files],
        { env: { ...process.env, NODE_ENV: 'test' }, maxBuffer: 16 << 20 },
        (error, out, err) => {
          // NODE_ENV=test keeps the exit code 0: problems come back as JSON.
          if (error) reject(new Error(`tekton-lint failed: ${err || error}`));
          else resolve(out);
        },
      );
    });
    return JSON.parse(stdout) as LintProblem[];
  } finally {
    await fs.rm(configDir, { recursive: true, force: true });
  }
}
