import type { QueueStats } from '../metrics/TriggerMetrics';
import { DatabaseService } from '@backstage/backend-plugin-api';
import type {
  Delivery,
  DeliveryDecision,
  PipelineExplanation,
  RunRef,
} from '@pipeline-portal/plugin-spotguides-common';
import { createHash } from 'node:crypto';
import { Knex } from 'knex';
import { connect } from './migrations';
import { NewRunRecord, RUNS_TABLE, runRow } from './RunStore';

const TABLE = 'spotguides_deliveries';

/** What the intake knows of a delivery before any processing. */
export interface NewDelivery {
  id: string;
  event: string;
  action?: string;
  repository: string;
  ref?: string;
  sha?: string;
  /**
   * Deliveries with the same key describe the same change and are dropped
   * as duplicates; undefined for events that are never duplicates.
   */
  dedupKey?: string;
  payload: unknown;
}

/** A delivery claimed by one worker. */
export interface ClaimedDelivery extends NewDelivery {
  payload: any;
  attempts: number;
  receivedAt: string;
}

export interface Outcome {
  decision: DeliveryDecision;
  reason: string;
  runs?: RunRef[];
  pipelines?: PipelineExplanation[];
  /** Runs created for the delivery, recorded with the decision. */
  records?: NewRunRecord[];
  /** Told once the decision (and its runs) are recorded. */
  onRecorded?(): void;
}

export type InsertResult = 'queued' | 'duplicate' | 'known';

interface Row {
  id: string;
  event: string;
  action: string | null;
  repository: string;
  ref: string | null;
  sha: string | null;
  dedup_key: string | null;
  payload: string;
  state: string;
  lease_owner: string | null;
  lease_until: number | string;
  attempts: number | string;
  next_attempt_at: number | string;
  decision: string;
  reason: string;
  runs: string | null;
  pipelines: string | null;
  received_at: string;
  updated_at: string;
}

/** A stable, bounded dedup key of (repository, event, ref, sha). */
export function dedupKey(parts: {
  repository: string;
  event: string;
  ref?: string;
  sha?: string;
}): string {
  return createHash('sha256')
    .update(
      [parts.repository.toLowerCase(), parts.event, parts.ref, parts.sha].join(
        '\n',
      ),
    )
    .digest('hex');
}

const isUniqueViolation = (error: unknown) => {
  const e = error as { code?: string; message?: string };
  return (
    e.code === '23505' ||
    e.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    /unique constraint|UNIQUE constraint failed/i.test(e.message ?? '')
  );
};

/**
 * The delivery queue. Inserts are idempotent per delivery id; a worker takes
 * a delivery with a lease (a conditional UPDATE, so two replicas never both
 * win) and either completes it or puts it back with a later attempt time.
 */
export class DeliveryStore {
  static async create(options: {
    database: DatabaseService | Knex;
  }): Promise<DeliveryStore> {
    const knex = await connect(options.database);
    return new DeliveryStore(knex);
  }

  private constructor(private readonly knex: Knex) {}

  /**
   * Stores an accepted delivery. `known` when this delivery id is already
   * stored (a redelivery), `duplicate` when another delivery had its dedup
   * key (stored as done, for the deliveries page).
   */
  async insert(d: NewDelivery, now = Date.now()): Promise<InsertResult> {
    const at = new Date(now).toISOString();
    const row = {
      id: d.id,
      event: d.event,
      action: d.action ?? null,
      repository: d.repository,
      ref: d.ref ?? null,
      sha: d.sha ?? null,
      dedup_key: d.dedupKey ?? null,
      payload: JSON.stringify(d.payload ?? {}),
      state: 'queued',
      lease_owner: null,
      lease_until: 0,
      attempts: 0,
      next_attempt_at: 0,
      decision: 'pending',
      reason: 'queued',
      runs: null,
      pipelines: null,
      received_at: at,
      updated_at: at,
    };
    try {
      const inserted = await this.knex(TABLE)
        .insert(row)
        .onConflict('id')
        .ignore()
        .returning('id');
      return inserted.length ? 'queued' : 'known';
    } catch (error) {
      if (!d.dedupKey || !isUniqueViolation(error)) throw error;
    }
    const first = await this.knex<Row>(TABLE)
      .where({ dedup_key: d.dedupKey })
      .first('id');
    const inserted = await this.knex(TABLE)
      .insert({
        ...row,
        dedup_key: null,
        state: 'done',
        decision: 'duplicate',
        reason: `same change as delivery ${first?.id ?? 'seen before'}`,
      })
      .onConflict('id')
      .ignore()
      .returning('id');
    return inserted.length ? 'duplicate' : 'known';
  }

  /**
   * Leases up to `limit` queued deliveries that are due, oldest first, in one
   * statement: the rows are chosen and taken by the same UPDATE (on
   * PostgreSQL skipping rows another claimant holds locked; SQLite runs one
   * writer at a time), and the lease conditions are checked again on each row,
   * so two replicas never both win one.
   */
  async claim(
    owner: string,
    options: { limit: number; leaseMs: number; now?: number },
  ): Promise<ClaimedDelivery[]> {
    const now = options.now ?? Date.now();
    const due = (q: Knex.QueryBuilder) =>
      q
        .where('state', 'queued')
        .where('next_attempt_at', '<=', now)
        .where('lease_until', '<', now);
    const chosen = due(this.knex(TABLE).select('id'))
      .orderBy('received_at', 'asc')
      .limit(options.limit);
    if (this.knex.client.config.client === 'pg')
      chosen.forUpdate().skipLocked();
    const rows: Row[] = await due(this.knex(TABLE).whereIn('id', chosen))
      .update({
        lease_owner: owner,
        lease_until: now + options.leaseMs,
        attempts: this.knex.raw('attempts + 1'),
        updated_at: new Date(now).toISOString(),
      })
      .returning('*');
    return rows
      .sort((a, b) => byCodePoint(a.received_at, b.received_at))
      .map(row => ({
        ...fromRow(row),
        payload: JSON.parse(row.payload),
        attempts: Number(row.attempts),
      }));
  }

  /**
   * Extends a held lease while its delivery is worked on; false when the
   * lease was lost (it ran out and another replica took the delivery).
   */
  async renew(
    id: string,
    owner: string,
    leaseMs: number,
    now = Date.now(),
  ): Promise<boolean> {
    const count = await this.knex(TABLE)
      .where({ id, lease_owner: owner, state: 'queued' })
      .where('lease_until', '>=', now)
      .update({ lease_until: now + leaseMs });
    return count === 1;
  }

  /**
   * Records the decision and the runs it created; false when the lease was
   * lost meanwhile (the runs are recorded all the same: they exist). One
   * statement on PostgreSQL, so a delivery costs the pool one round trip.
   */
  async complete(
    id: string,
    owner: string,
    outcome: Outcome,
  ): Promise<boolean> {
    const now = new Date();
    const update = (q: Knex.QueryBuilder) =>
      q.where({ id, lease_owner: owner, state: 'queued' }).update({
        state: 'done',
        lease_owner: null,
        lease_until: 0,
        decision: outcome.decision,
        reason: outcome.reason,
        runs: JSON.stringify(outcome.runs ?? []),
        pipelines: outcome.pipelines ? JSON.stringify(outcome.pipelines) : null,
        updated_at: now.toISOString(),
      });
    const records = (outcome.records ?? []).map(r => runRow(r, now));
    const insertRuns = (k: Knex) =>
      k(RUNS_TABLE)
        .insert(records)
        .onConflict(['cluster', 'namespace', 'name'])
        .ignore();
    if (!records.length) return (await update(this.knex(TABLE))) === 1;
    if (this.knex.client.config.client === 'pg') {
      const rows = await update(
        this.knex.with('recorded', insertRuns(this.knex)).from(TABLE),
      ).returning('id');
      return rows.length === 1;
    }
    return this.knex.transaction(async trx => {
      await insertRuns(trx);
      return (await update(trx(TABLE))) === 1;
    });
  }

  /** How many deliveries are queued, and since when the oldest waits. */
  async queueStats(now = Date.now()): Promise<QueueStats> {
    const row = await this.knex(TABLE)
      .where({ state: 'queued' })
      .first(
        this.knex.raw('count(*) as depth'),
        this.knex.raw('min(received_at) as oldest'),
      );
    const depth = Number(row?.depth ?? 0);
    const oldest = row?.oldest ? Date.parse(String(row.oldest)) : NaN;
    return {
      depth,
      oldestAgeSeconds:
        depth && Number.isFinite(oldest)
          ? Math.max(0, (now - oldest) / 1000)
          : 0,
    };
  }

  /**
   * Hands back every lease `owner` holds (a replica stopping): the
   * deliveries are due again at once for any replica.
   */
  async releaseAll(owner: string): Promise<number> {
    return this.knex(TABLE)
      .where({ lease_owner: owner, state: 'queued' })
      .update({ lease_owner: null, lease_until: 0 });
  }

  /** Puts a delivery back for a later attempt (a transient failure). */
  async retryLater(
    id: string,
    owner: string,
    options: { at: number; reason: string },
  ): Promise<boolean> {
    const count = await this.knex(TABLE)
      .where({ id, lease_owner: owner, state: 'queued' })
      .update({
        lease_owner: null,
        lease_until: 0,
        next_attempt_at: options.at,
        reason: options.reason,
        updated_at: new Date().toISOString(),
      });
    return count === 1;
  }

  /**
   * The stored deliveries of one pull request (duplicates left out), oldest
   * first, at most `limit`: what an approval is weighed against.
   */
  async pullRequestDeliveries(
    repository: string,
    pullRequest: number,
    limit = 200,
  ): Promise<
    Array<{ id: string; sha?: string; decision: string; payload: any }>
  > {
    const rows: Row[] = await this.knex<Row>(TABLE)
      .where({
        repository,
        event: 'pull_request',
        ref: `refs/pull/${pullRequest}/head`,
      })
      .whereNot('decision', 'duplicate')
      .orderBy('received_at', 'desc')
      .limit(limit)
      .select('id', 'sha', 'decision', 'payload');
    return rows.reverse().map(row => ({
      id: row.id,
      sha: row.sha ?? undefined,
      decision: row.decision,
      payload: JSON.parse(row.payload),
    }));
  }

  /**
   * Deletes processed deliveries received before `before` (they hold whole
   * payloads), at most `limit` per call so one pass never holds the table
   * long. Returns how many went.
   */
  async prune(before: Date, limit = 1000): Promise<number> {
    const rows: Array<{ id: string }> = await this.knex(TABLE)
      .select('id')
      .where('state', 'done')
      .where('received_at', '<', before.toISOString())
      .orderBy('received_at', 'asc')
      .limit(limit);
    const chosen = rows.map(r => r.id);
    if (!chosen.length) return 0;
    return this.knex(TABLE).whereIn('id', chosen).delete();
  }

  /**
   * The payload of a stored push that made `sha` the new head of a branch or
   * tag, if any: its commits say which files changed since its `before`.
   */
  async pushTo(repository: string, sha: string): Promise<any | undefined> {
    const row = await this.knex<Row>(TABLE)
      .where({ repository, sha, event: 'push' })
      .first('payload');
    return row ? JSON.parse(row.payload) : undefined;
  }

  /** Returns the stored delivery, payload excluded. */
  async get(id: string): Promise<Delivery | undefined> {
    const row = await this.knex<Row>(TABLE).where({ id }).first();
    return row ? toDelivery(row) : undefined;
  }

  /**
   * Newest first; of one repository, or of those in `repositories` (lower
   * case) when given.
   */
  async list(filter: {
    repository?: string;
    repositories?: string[];
    limit: number;
  }): Promise<Delivery[]> {
    if (filter.repositories && !filter.repositories.length) return [];
    const rows: Row[] = await this.knex<Row>(TABLE)
      .modify(q => {
        if (filter.repository) q.where('repository', filter.repository);
        if (filter.repositories) {
          const list = filter.repositories;
          q.whereRaw(
            `lower(repository) in (${list.map(() => '?').join(', ')})`,
            list,
          );
        }
      })
      .orderBy('received_at', 'desc')
      .orderBy('id', 'asc')
      .limit(filter.limit);
    return rows.map(toDelivery);
  }

  /** How many deliveries wait to be processed (for tests and benchmarks). */
  async queuedCount(): Promise<number> {
    const [{ n }] = await this.knex(TABLE)
      .where('state', 'queued')
      .count({ n: '*' });
    return Number(n);
  }
}

function byCodePoint(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function fromRow(row: Row): Omit<ClaimedDelivery, 'payload' | 'attempts'> {
  return {
    id: row.id,
    event: row.event,
    action: row.action ?? undefined,
    repository: row.repository,
    ref: row.ref ?? undefined,
    sha: row.sha ?? undefined,
    dedupKey: row.dedup_key ?? undefined,
    receivedAt: row.received_at,
  };
}

function toDelivery(row: Row): Delivery {
  return {
    id: row.id,
    event: row.event,
    ...(row.action ? { action: row.action } : {}),
    repository: row.repository,
    ...(row.ref ? { ref: row.ref } : {}),
    ...(row.sha ? { sha: row.sha } : {}),
    receivedAt: row.received_at,
    decision: row.decision as DeliveryDecision,
    reason: row.reason,
    runs: row.runs ? JSON.parse(row.runs) : [],
    ...(row.pipelines ? { pipelines: JSON.parse(row.pipelines) } : {}),
  };
}
