import { ConfigSources } from '@backstage/config-loader';
import fs from 'node:fs/promises';
import { checkDatabase } from './database';
import { findMissingSubstitutions } from './substitutions';

export interface PreflightOptions {
  argv?: string[];
  env?: Record<string, string | undefined>;
}

/**
 * Checks the configuration the backend is about to start with. Returns the
 * problems found, each one line naming the config key at fault.
 *
 * In production every `${VAR}` of the config files must be set: an unset one
 * would silently fall back to the development value of app-config.yaml.
 */
export async function findConfigProblems(
  options: PreflightOptions = {},
): Promise<string[]> {
  const argv = options.argv ?? process.argv;
  const env = options.env ?? process.env;
  const problems: string[] = [];

  if (env.NODE_ENV === 'production') {
    for (const target of ConfigSources.parseArgs(argv)) {
      if (target.type !== 'path') continue;
      const text = await fs.readFile(target.target, 'utf8');
      for (const missing of findMissingSubstitutions(
        target.target,
        text,
        env,
      )) {
        problems.push(
          `${missing.key}: environment variable ${missing.variable} is not set (asked for by ${missing.file})`,
        );
      }
    }
    if (problems.length > 0) {
      return problems;
    }
  }

  const config = await ConfigSources.toConfig(
    ConfigSources.default({ argv, env }),
  );
  try {
    const problem = await checkDatabase(config);
    if (problem) problems.push(problem);
  } finally {
    config.close();
  }
  return problems;
}

/**
 * Runs {@link findConfigProblems} and, when any is found, prints one line per
 * problem and exits with status 1, before any plugin starts and retries.
 */
export async function preflight(options: PreflightOptions = {}): Promise<void> {
  const problems = await findConfigProblems(options);
  if (problems.length === 0) {
    return;
  }
  for (const problem of problems) {
    process.stderr.write(`Configuration error: ${problem}\n`);
  }
  process.exit(1);
}
