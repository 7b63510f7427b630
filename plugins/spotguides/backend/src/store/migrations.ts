import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

/** Knex's bookkeeping table for this plugin's migrations. */
export const MIGRATIONS_TABLE = 'spotguides_knex_migrations';

export const migrationsDirectory = () =>
  resolvePackagePath(
    '@pipeline-portal/plugin-spotguides-backend',
    'migrations',
  );

// Several stores share one client; knex's migration lock would make
// concurrent `latest` calls on it fail, so each client migrates once.
const applied = new WeakMap<Knex, Promise<void>>();

/**
 * Brings the plugin's schema up to date (every file in `migrations/`).
 * Safe to call from each store: runs once per knex client.
 */
export function applyMigrations(knex: Knex): Promise<void> {
  let pending = applied.get(knex);
  if (!pending) {
    pending = knex.migrate
      .latest({
        directory: migrationsDirectory(),
        tableName: MIGRATIONS_TABLE,
      })
      .then(() => undefined);
    // A failed attempt may be retried (e.g. the database was not up yet).
    pending.catch(() => applied.delete(knex));
    applied.set(knex, pending);
  }
  return pending;
}

/** The plugin's knex client, migrated unless the deployment skips migrations. */
export async function connect(database: DatabaseService | Knex): Promise<Knex> {
  if (!('getClient' in database)) {
    await applyMigrations(database);
    return database;
  }
  const knex = await database.getClient();
  if (database.migrations?.skip !== true) await applyMigrations(knex);
  return knex;
}
