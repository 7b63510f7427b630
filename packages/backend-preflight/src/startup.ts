import { Config } from '@backstage/config';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { postgresClientConfig } from './database';

/** What start-up holds while the backend starts, released once it is up. */
export interface StartupLock {
  release(): Promise<void>;
}

/**
 * Serializes start-up across the replicas that share one PostgreSQL server:
 * every plugin's migrations (and the creation of its database) run while this
 * replica holds a session-level advisory lock, so replicas started together
 * take turns instead of colliding on knex's migration lock ("MigrationLocked",
 * "relation already exists"). The lock goes with the connection, so a replica
 * that dies while starting never blocks the others.
 *
 * The key is derived from the database prefix: two portals on one server with
 * different prefixes do not wait for each other.
 */
export async function acquirePostgresStartupLock(
  config: Config,
  options: { deadline: number; log: (line: string) => void },
): Promise<StartupLock> {
  const prefix =
    config.getOptionalString('backend.database.prefix') ?? 'backstage_plugin_';
  const client = new Client({
    ...postgresClientConfig(config),
    database: 'postgres',
  });
  client.on('error', () => {});
  await client.connect();
  const key = `pipeline-portal:startup:${prefix}`;
  try {
    const { rows } = await client.query(
      'SELECT pg_try_advisory_lock(hashtext($1)) AS locked',
      [key],
    );
    if (!rows[0].locked) {
      options.log(
        'Start-up: another replica is starting on this database; waiting for it to finish its migrations',
      );
      const waitMs = Math.max(0, options.deadline - Date.now());
      // The server gives up waiting at the deadline, and says so.
      await client.query(`SET lock_timeout = ${Math.ceil(waitMs)}`);
      await client.query('SELECT pg_advisory_lock(hashtext($1))', [key]);
      await client.query('SET lock_timeout = 0');
    }
  } catch (error) {
    await client.end().catch(() => {});
    if ((error as { code?: string }).code === '55P03') {
      throw new Error(
        'another replica held the start-up lock until the start-up budget ran out',
      );
    }
    throw error;
  }
  return {
    release: async () => {
      await client
        .query('SELECT pg_advisory_unlock(hashtext($1))', [key])
        .catch(() => {});
      await client.end().catch(() => {});
    },
  };
}

/**
 * SQLite serves one process: a second process on the same files would see
 * its own scheduler, leases and caches diverge from the first one's. Claims
 * the directory with a file holding this process's id; a claim by a process
 * that no longer runs is taken over.
 */
export function claimSqliteDirectory(
  directory: string,
  pid: number = process.pid,
): StartupLock {
  const file = path.join(directory, '.portal.pid');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(pid), { flag: 'wx' });
      const release = () => {
        try {
          if (fs.readFileSync(file, 'utf8') === String(pid))
            fs.unlinkSync(file);
        } catch {
          // already gone
        }
      };
      process.once('exit', release);
      return { release: async () => {} };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(fs.readFileSync(file, 'utf8').trim());
      if (holder && holder !== pid && isRunning(holder)) {
        throw new Error(
          `backend.database.connection.directory: SQLite serves one process, and process ${holder} already uses ${directory}; run several replicas on PostgreSQL`,
        );
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new Error(`cannot claim ${file}`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
