import { Config } from '@backstage/config';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Client, ClientConfig } from 'pg';

/**
 * Checks that the database in `backend.database` can be used: PostgreSQL
 * answers a query, or the SQLite directory can be created. Returns a one-line
 * problem naming the key, or undefined when all is well.
 */
export async function checkDatabase(
  config: Config,
  options: { timeoutMs?: number; cwd?: string } = {},
): Promise<string | undefined> {
  const client = config.getOptionalString('backend.database.client');
  if (client === 'pg') {
    // Generous: the clock runs while the backend's modules still load, which on
    // a busy machine takes seconds; a refused connection fails at once anyway.
    return checkPostgres(config, options.timeoutMs ?? 15_000);
  }
  if (client === 'better-sqlite3' || client === 'sqlite3') {
    return checkSqlite(config, options.cwd ?? process.cwd());
  }
  return undefined;
}

/** `backend.database.connection` as the `pg` client takes it. */
export function postgresClientConfig(config: Config): ClientConfig {
  const raw = config.getOptional<string | ClientConfig>(
    'backend.database.connection',
  );
  return typeof raw === 'string' ? { connectionString: raw } : { ...raw };
}

async function checkPostgres(
  config: Config,
  timeoutMs: number,
): Promise<string | undefined> {
  const connection = postgresClientConfig(config);
  const where =
    connection.connectionString !== undefined
      ? 'the connection string'
      : `${connection.host ?? 'localhost'}:${connection.port ?? 5432}`;
  const client = new Client({
    ...connection,
    // Any database answers a liveness query; plugin databases may not exist yet.
    database: 'postgres',
    connectionTimeoutMillis: timeoutMs,
  });
  // A refused connection also emits 'error'; connect() reports it.
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    const reason = e.code ? `${e.code}: ${e.message}` : e.message;
    return `backend.database.connection: cannot reach PostgreSQL at ${where} (${reason})`;
  } finally {
    await client.end().catch(() => {});
  }
}

async function checkSqlite(
  config: Config,
  cwd: string,
): Promise<string | undefined> {
  const connection = config.getOptional('backend.database.connection');
  const directory =
    connection && typeof connection === 'object'
      ? (connection as { directory?: unknown }).directory
      : undefined;
  if (typeof directory !== 'string') {
    return undefined;
  }
  try {
    await fs.mkdir(path.resolve(cwd, directory), { recursive: true });
    return undefined;
  } catch (error) {
    return `backend.database.connection.directory: cannot create ${directory} (${
      (error as Error).message
    })`;
  }
}
