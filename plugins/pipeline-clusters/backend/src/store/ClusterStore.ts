import { DatabaseService } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import {
  ClusterHistoryEntry,
  ClusterPhase,
  ClusterSpec,
  Distribution,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { Knex } from 'knex';
import { applyMigrations } from './migrations';

/** What the portal observed of a cluster beyond its phase. */
export interface ObservedFields {
  kubernetesVersion?: string;
  nodeCount?: number;
  apiServer?: string;
}

export interface ClusterRecord {
  name: string;
  owner: string;
  distribution: Distribution;
  /** Absent for imported clusters. */
  spec?: ClusterSpec;
  phase: ClusterPhase;
  message?: string;
  observed: ObservedFields;
  /** Bumped by every user change (spec or lifecycle); optimistic concurrency. */
  revision: number;
  /** The revision last written to the management cluster. */
  appliedRevision: number;
  /** Consecutive failed reconciles, for back-off. */
  failures: number;
  /** Epoch ms before which the reconciler leaves the cluster alone. */
  reconcileAfter: number;
  createdAt: string;
  updatedAt: string;
}

export interface ClusterFilter {
  owner?: string;
  /** Only clusters owned by one of these (permission filtering). */
  ownerIn?: string[];
  distribution?: string;
  phase?: string;
  search?: string;
}

/** Fields a write may change. */
export type ClusterChanges = Partial<
  Pick<
    ClusterRecord,
    | 'spec'
    | 'phase'
    | 'message'
    | 'observed'
    | 'appliedRevision'
    | 'failures'
    | 'reconcileAfter'
  >
>;

interface Row {
  name: string;
  owner: string;
  distribution: string;
  spec: string | null;
  phase: string;
  message: string | null;
  observed: string | null;
  revision: number | string;
  applied_revision: number | string;
  failures: number | string;
  reconcile_after: number | string;
  created_at: string;
  updated_at: string;
}

const TERMINAL: ClusterPhase[] = ['Deleted'];

/**
 * The `clusters` table and the history of status changes. Every write is
 * conditional on the revision the caller read (optimistic concurrency).
 */
export class ClusterStore {
  static async create(options: {
    database: DatabaseService | Knex;
  }): Promise<ClusterStore> {
    const knex =
      'getClient' in options.database
        ? await options.database.getClient()
        : options.database;
    const skip =
      'getClient' in options.database &&
      options.database.migrations?.skip === true;
    if (!skip) {
      await applyMigrations(knex);
    }
    return new ClusterStore(knex);
  }

  private constructor(private readonly knex: Knex) {}

  async get(name: string): Promise<ClusterRecord | undefined> {
    const row = await this.knex<Row>('clusters').where({ name }).first();
    return row ? toRecord(row) : undefined;
  }

  /**
   * Inserts a new cluster, or takes over the row of a Deleted one of the same
   * name. ConflictError when a live cluster has the name.
   */
  async insert(
    record: Pick<ClusterRecord, 'name' | 'owner' | 'distribution' | 'phase'> &
      Partial<Pick<ClusterRecord, 'spec' | 'message' | 'observed'>>,
  ): Promise<ClusterRecord> {
    const now = new Date().toISOString();
    return this.knex.transaction(async tx => {
      const existing = await tx<Row>('clusters')
        .where({ name: record.name })
        .first();
      if (existing && !TERMINAL.includes(existing.phase as ClusterPhase)) {
        throw new ConflictError(`cluster "${record.name}" already exists`);
      }
      if (existing) {
        await tx('cluster_history')
          .where({ cluster_name: record.name })
          .delete();
        await tx('clusters').where({ name: record.name }).delete();
      }
      const row = {
        name: record.name,
        owner: record.owner,
        distribution: record.distribution,
        spec: record.spec ? JSON.stringify(record.spec) : null,
        phase: record.phase,
        message: record.message ?? null,
        observed: JSON.stringify(record.observed ?? {}),
        revision: 1,
        applied_revision: 0,
        failures: 0,
        reconcile_after: 0,
        created_at: now,
        updated_at: now,
      };
      try {
        await tx('clusters').insert(row);
      } catch (error) {
        // A concurrent insert of the same name won the race.
        throw new ConflictError(`cluster "${record.name}" already exists`);
      }
      await tx('cluster_history').insert({
        cluster_name: record.name,
        phase: record.phase,
        message: record.message ?? null,
        at: now,
      });
      return toRecord(row);
    });
  }

  /**
   * Applies changes if the cluster still has `expectedRevision`; bumps the
   * revision for user changes. A phase or message change is appended to the
   * history. ConflictError when the revision is stale.
   */
  async update(
    name: string,
    expectedRevision: number,
    changes: ClusterChanges,
    options: { bumpRevision?: boolean } = {},
  ): Promise<ClusterRecord> {
    const now = new Date().toISOString();
    return this.knex.transaction(async tx => {
      const current = await tx<Row>('clusters').where({ name }).first();
      if (!current) {
        throw new ConflictError(`cluster "${name}" no longer exists`);
      }
      const patch: Partial<Row> = { updated_at: now };
      if (changes.spec !== undefined) patch.spec = JSON.stringify(changes.spec);
      if (changes.phase !== undefined) patch.phase = changes.phase;
      if (changes.message !== undefined)
        patch.message = changes.message || null;
      if (changes.observed !== undefined)
        patch.observed = JSON.stringify(changes.observed);
      if (changes.appliedRevision !== undefined)
        patch.applied_revision = changes.appliedRevision;
      if (changes.failures !== undefined) patch.failures = changes.failures;
      if (changes.reconcileAfter !== undefined)
        patch.reconcile_after = changes.reconcileAfter;
      if (options.bumpRevision) patch.revision = expectedRevision + 1;

      const count = await tx('clusters')
        .where({ name, revision: expectedRevision })
        .update(patch);
      if (count !== 1) {
        throw new ConflictError(
          `cluster "${name}" changed meanwhile (revision ${Number(
            current.revision,
          )}, not ${expectedRevision}); read it again and retry`,
        );
      }
      const phaseChanged =
        changes.phase !== undefined && changes.phase !== current.phase;
      const messageChanged =
        changes.message !== undefined &&
        (changes.message || null) !== current.message;
      if (phaseChanged || messageChanged) {
        await tx('cluster_history').insert({
          cluster_name: name,
          phase: changes.phase ?? current.phase,
          message: (changes.message ?? current.message) || null,
          at: now,
        });
      }
      return toRecord({ ...current, ...patch } as Row);
    });
  }

  async list(
    filter: ClusterFilter,
    page: { limit: number; cursor?: string },
  ): Promise<{
    items: ClusterRecord[];
    totalCount: number;
    nextCursor?: string;
  }> {
    const base = this.knex<Row>('clusters').where(query => {
      if (filter.owner) query.where('owner', filter.owner);
      if (filter.ownerIn) query.whereIn('owner', filter.ownerIn);
      if (filter.distribution) query.where('distribution', filter.distribution);
      if (filter.phase) query.where('phase', filter.phase);
      else query.whereNot('phase', 'Deleted');
      if (filter.search) {
        query.whereRaw("name like ? escape '\\'", [
          `%${escapeLike(filter.search.toLowerCase())}%`,
        ]);
      }
    });
    const after = page.cursor ? decodeCursor(page.cursor) : undefined;
    const [rows, [{ count }]] = await Promise.all([
      base
        .clone()
        .modify(q => {
          if (after !== undefined) q.where('name', '>', after);
        })
        .orderBy('name', 'asc')
        .limit(page.limit + 1),
      base.clone().count<{ count: number | string }[]>({ count: '*' }),
    ]);
    const items = rows.slice(0, page.limit).map(toRecord);
    return {
      items,
      totalCount: Number(count),
      nextCursor:
        rows.length > page.limit
          ? encodeCursor(items[items.length - 1].name)
          : undefined,
    };
  }

  /**
   * The first live cluster of an owner provisioned with a credential. Reads
   * every cluster of the owner (name and spec only): the credential sits
   * inside the JSON spec, which SQLite and PostgreSQL query differently.
   */
  async findUsingCredential(
    owner: string,
    credential: string,
  ): Promise<string | undefined> {
    const rows = await this.knex<Row>('clusters')
      .where('owner', owner)
      .whereNot('phase', 'Deleted')
      .whereNotNull('spec')
      .orderBy('name', 'asc')
      .select('name', 'spec');
    return rows.find(
      row => (JSON.parse(row.spec!) as ClusterSpec).credential === credential,
    )?.name;
  }

  /** Clusters the reconciler should look at now, oldest attempt first. */
  async dueForReconcile(now: number, limit: number): Promise<ClusterRecord[]> {
    const rows = await this.knex<Row>('clusters')
      .whereNot('distribution', 'import')
      .whereNotIn('phase', TERMINAL)
      .where('reconcile_after', '<=', now)
      .orderBy('reconcile_after', 'asc')
      .limit(limit);
    return rows.map(toRecord);
  }

  async history(name: string): Promise<ClusterHistoryEntry[]> {
    const rows = await this.knex('cluster_history')
      .where({ cluster_name: name })
      .orderBy('id', 'asc');
    return rows.map(row => ({
      phase: row.phase,
      ...(row.message ? { message: row.message } : {}),
      at: row.at,
    }));
  }
}

function toRecord(row: Row): ClusterRecord {
  return {
    name: row.name,
    owner: row.owner,
    distribution: row.distribution as Distribution,
    ...(row.spec ? { spec: JSON.parse(row.spec) } : {}),
    phase: row.phase as ClusterPhase,
    ...(row.message ? { message: row.message } : {}),
    observed: row.observed ? JSON.parse(row.observed) : {},
    revision: Number(row.revision),
    appliedRevision: Number(row.applied_revision),
    failures: Number(row.failures),
    reconcileAfter: Number(row.reconcile_after),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function escapeLike(value: string) {
  return value.replace(/[\\%_]/g, c => `\\${c}`);
}

function encodeCursor(name: string) {
  return Buffer.from(name, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string) {
  return Buffer.from(cursor, 'base64url').toString('utf8');
}
