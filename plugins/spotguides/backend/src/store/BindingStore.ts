import { DatabaseService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { connect } from './migrations';

const TABLE = 'spotguides_bindings';

/** A repository bound to the component whose pipelines its events run. */
export interface Binding {
  /** `owner/name`, lower case. */
  repository: string;
  /** The component, e.g. `component:default/shop`, lower case. */
  entityRef: string;
  /** The owner group the binding was made for, lower case. */
  owner: string;
  /** The user who made it. */
  boundBy: string;
  boundAt: string;
}

interface Row {
  repository: string;
  entity_ref: string;
  owner: string;
  bound_by: string;
  bound_at: string;
}

const fromRow = (row: Row): Binding => ({
  repository: row.repository,
  entityRef: row.entity_ref,
  owner: row.owner,
  boundBy: row.bound_by,
  boundAt: row.bound_at,
});

/** Repository bindings: one row per repository. */
export class BindingStore {
  static async create(options: {
    database: DatabaseService | Knex;
  }): Promise<BindingStore> {
    return new BindingStore(await connect(options.database));
  }

  /** Bindings read for the trigger engine, by repository (lower case). */
  private readonly cache = new Map<
    string,
    { at: number; binding: Promise<Binding | undefined> }
  >();

  private constructor(private readonly knex: Knex) {}

  async get(repository: string): Promise<Binding | undefined> {
    const row = await this.knex<Row>(TABLE)
      .where({ repository: repository.toLowerCase() })
      .first();
    return row ? fromRow(row) : undefined;
  }

  /**
   * The binding as read at most `maxAgeMs` ago: the trigger engine asks for
   * every delivery. A change made through this replica is seen at once, one
   * made through another within `maxAgeMs`.
   */
  getCached(
    repository: string,
    maxAgeMs: number,
    now = Date.now(),
  ): Promise<Binding | undefined> {
    const key = repository.toLowerCase();
    const hit = this.cache.get(key);
    if (hit && now - hit.at < maxAgeMs) return hit.binding;
    const binding = this.get(key);
    this.cache.set(key, { at: now, binding });
    binding.catch(() => this.cache.delete(key));
    if (this.cache.size > 10_000) {
      this.cache.delete(this.cache.keys().next().value!);
    }
    return binding;
  }

  /** Binds (or rebinds) a repository; one statement, so never half written. */
  async put(
    binding: Omit<Binding, 'boundAt'>,
    now = new Date(),
  ): Promise<Binding> {
    const row: Row = {
      repository: binding.repository.toLowerCase(),
      entity_ref: binding.entityRef.toLowerCase(),
      owner: binding.owner.toLowerCase(),
      bound_by: binding.boundBy,
      bound_at: now.toISOString(),
    };
    await this.knex(TABLE).insert(row).onConflict('repository').merge();
    this.cache.delete(row.repository);
    return fromRow(row);
  }

  async delete(repository: string): Promise<boolean> {
    const count = await this.knex(TABLE)
      .where({ repository: repository.toLowerCase() })
      .delete();
    this.cache.delete(repository.toLowerCase());
    return count > 0;
  }
}
