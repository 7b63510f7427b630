import { Config } from '@backstage/config';
import { ConfigSources } from '@backstage/config-loader';
import fs from 'node:fs/promises';
import { checkDatabase } from './database';
import { findMissingSubstitutions } from './substitutions';
import path from 'node:path';
import {
  acquirePostgresStartupLock,
  claimSqliteDirectory,
  StartupLock,
} from './startup';

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
  const { problems, config } = await inspect(options);
  config?.close();
  return problems;
}

async function inspect(
  options: PreflightOptions,
): Promise<{ problems: string[]; config?: Config & { close(): void } }> {
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
      return { problems };
    }
  }

  const config = await ConfigSources.toConfig(
    ConfigSources.default({ argv, env }),
  );
  try {
    const problem = await checkDatabase(config);
    if (problem) problems.push(problem);
  } catch (error) {
    config.close();
    throw error;
  }
  return { problems, config };
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

/** The part of Backstage's backend that start-up drives. */
export interface StartableBackend {
  start(): Promise<unknown>;
}

/** Start-up budget when `pipelinePortal.startup.budgetSeconds` is not set. */
export const DEFAULT_STARTUP_BUDGET_SECONDS = 180;

/** Shutdown budget when `pipelinePortal.shutdown.budgetSeconds` is not set. */
export const DEFAULT_SHUTDOWN_BUDGET_SECONDS = 15;

/**
 * Starts the backend as one replica among several: checks the configuration
 * ({@link preflight}), takes the start-up lock (PostgreSQL) or claims the data
 * directory (SQLite), starts every plugin, then lets the next replica start.
 *
 * A start-up that fails, or does not finish within the budget, ends the
 * process with status 1 and one line naming the plugin and the cause, so its
 * supervisor restarts it instead of keeping a replica that is alive but never
 * ready.
 */
export async function startBackend(
  backend: StartableBackend,
  options: PreflightOptions & {
    exit?: (code: number) => never;
    write?: (line: string) => void;
  } = {},
): Promise<void> {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const write =
    options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const { problems, config } = await inspect(options);
  if (problems.length > 0 || !config) {
    for (const problem of problems) write(`Configuration error: ${problem}`);
    exit(1);
    return;
  }
  const budgetSeconds =
    config.getOptionalNumber('pipelinePortal.startup.budgetSeconds') ??
    DEFAULT_STARTUP_BUDGET_SECONDS;
  const deadline = Date.now() + budgetSeconds * 1000;
  const timer = setTimeout(() => {
    write(
      `Start-up failed: the backend was not ready within pipelinePortal.startup.budgetSeconds (${budgetSeconds} s)`,
    );
    exit(1);
  }, budgetSeconds * 1000);
  timer.unref();

  const shutdownSeconds =
    config.getOptionalNumber('pipelinePortal.shutdown.budgetSeconds') ??
    DEFAULT_SHUTDOWN_BUDGET_SECONDS;
  exitWithinOnSignal(shutdownSeconds, write, exit);

  let lock: StartupLock | undefined;
  try {
    lock = await takeStartupLock(config, deadline, write);
    config.close();
    await backend.start();
  } catch (error) {
    write(`Start-up failed: ${describeStartupFailure(error)}`);
    exit(1);
    return;
  } finally {
    clearTimeout(timer);
    await lock?.release();
  }
}

/**
 * Backstage stops on SIGTERM by running every shutdown hook and then closing
 * the HTTP server, which waits for open requests, long polls of the events
 * bus included (up to a minute). Scheduled tasks and deliveries are handed
 * over in the plugins' hooks, first; past the budget the process exits
 * rather than linger until its supervisor kills it.
 */
function exitWithinOnSignal(
  seconds: number,
  write: (line: string) => void,
  exit: (code: number) => never,
) {
  const onSignal = () => {
    setTimeout(() => {
      write(
        `Shutdown: still waiting for open connections after pipelinePortal.shutdown.budgetSeconds (${seconds} s); exiting`,
      );
      exit(0);
    }, seconds * 1000).unref();
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}

async function takeStartupLock(
  config: Config,
  deadline: number,
  write: (line: string) => void,
): Promise<StartupLock | undefined> {
  const client = config.getOptionalString('backend.database.client');
  if (client === 'pg') {
    return acquirePostgresStartupLock(config, { deadline, log: write });
  }
  const connection = config.getOptional('backend.database.connection');
  const directory =
    connection && typeof connection === 'object'
      ? (connection as { directory?: unknown }).directory
      : undefined;
  if (
    (client === 'better-sqlite3' || client === 'sqlite3') &&
    typeof directory === 'string'
  ) {
    return claimSqliteDirectory(path.resolve(directory));
  }
  return undefined;
}

/**
 * One line for a failed start: Backstage's BackendStartupError lists each
 * failed plugin or module with its cause (and the cause's stack); keep the
 * plugin and the cause's first line.
 */
export function describeStartupFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const failures = message
    .split('\n')
    .map(line =>
      line.match(
        /^\s*(?:Plugin '([^']+)'|Module '([^']+)' for plugin '([^']+)') startup failed; caused by (.*)$/,
      ),
    )
    .filter((m): m is RegExpMatchArray => m !== null)
    .map(([, plugin, module, modulePlugin, cause]) =>
      plugin
        ? `plugin '${plugin}': ${cause}`
        : `module '${module}' of plugin '${modulePlugin}': ${cause}`,
    );
  if (failures.length > 0) return failures.join('; ');
  return message.split('\n')[0];
}
