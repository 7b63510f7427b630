import { DatabaseService } from '@backstage/backend-plugin-api';
import type { RunStatus } from '@pipeline-portal/plugin-spotguides-common';
import { Knex } from 'knex';
import { connect } from './migrations';

const TABLE = 'spotguides_runs';

/** Identifies one PipelineRun. */
export interface RunKey {
  cluster: string;
  namespace: string;
  name: string;
}

/** A PipelineRun the engine created and the commit status it owes. */
export interface RunRecord extends RunKey {
  pipeline: string;
  /** The component it belongs to, e.g. `component:default/shop`. */
  entityRef: string;
  /** `owner/name`. */
  repository: string;
  sha: string;
  ref?: string;
  event: string;
  deliveryId: string;
  /** Commit status context, `pipeline-portal/<pipeline>`. */
  statusContext: string;
  status: RunStatus;
  /** The status last written to the commit; undefined before the first. */
  reportedStatus?: RunStatus;
  createdAt: string;
  startedAt?: string;
  completedAt?: string;
}

interface Row {
  cluster: string;
  namespace: string;
  name: string;
  pipeline: string;
  entity_ref: string;
  repository: string;
  sha: string;
  ref: string | null;
  event: string;
  delivery_id: string;
  status_context: string;
  status: string;
  reported_status: string | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
}

const keyOf = (k: RunKey) => ({
  cluster: k.cluster,
  namespace: k.namespace,
  name: k.name,
});

/** A run to record: the engine has just created it. */
export type NewRunRecord = Omit<
  RunRecord,
  'status' | 'createdAt' | 'reportedStatus'
> & {
  status?: RunStatus;
  reportedStatus?: RunStatus;
};

export const RUNS_TABLE = TABLE;

/** The row of a new run. */
export function runRow(run: NewRunRecord, now = new Date()): Row {
  return {
    ...keyOf(run),
    pipeline: run.pipeline,
    entity_ref: run.entityRef,
    repository: run.repository,
    sha: run.sha,
    ref: run.ref ?? null,
    event: run.event,
    delivery_id: run.deliveryId,
    status_context: run.statusContext,
    status: run.status ?? 'Pending',
    reported_status: run.reportedStatus ?? null,
    created_at: now.toISOString(),
    started_at: run.startedAt ?? null,
    completed_at: run.completedAt ?? null,
  };
}

/** The `spotguides_runs` table: runs created, their status and what was reported. */
export class RunStore {
  static async create(options: {
    database: DatabaseService | Knex;
  }): Promise<RunStore> {
    return new RunStore(await connect(options.database));
  }

  private constructor(private readonly knex: Knex) {}

  /** Records a created run; a run already recorded (a retry) is kept as is. */
  async insert(run: NewRunRecord): Promise<void> {
    await this.knex(TABLE)
      .insert(runRow(run))
      .onConflict(['cluster', 'namespace', 'name'])
      .ignore();
  }

  async get(key: RunKey): Promise<RunRecord | undefined> {
    const row = await this.knex<Row>(TABLE).where(keyOf(key)).first();
    return row ? toRecord(row) : undefined;
  }

  /** Runs of one component, newest first. */
  async listByEntity(entityRef: string, limit = 100): Promise<RunRecord[]> {
    const rows: Row[] = await this.knex<Row>(TABLE)
      .where('entity_ref', entityRef)
      .orderBy('created_at', 'desc')
      .orderBy('name', 'asc')
      .limit(limit);
    return rows.map(toRecord);
  }

  /** Runs not ended yet (for the status watcher). */
  async listActive(limit: number): Promise<RunRecord[]> {
    const rows: Row[] = await this.knex<Row>(TABLE)
      .whereIn('status', ['Pending', 'Running'])
      .orderBy('created_at', 'asc')
      .limit(limit);
    return rows.map(toRecord);
  }

  /** Runs whose status differs from the one last reported, oldest first. */
  async listUnreported(limit: number): Promise<RunRecord[]> {
    const rows: Row[] = await this.knex<Row>(TABLE)
      .where(q =>
        q.whereNull('reported_status').orWhereRaw('reported_status <> status'),
      )
      .orderBy('created_at', 'asc')
      .limit(limit);
    return rows.map(toRecord);
  }

  /** Sets the observed status; an ended run keeps its end. */
  async setStatus(
    key: RunKey,
    status: RunStatus,
    completedAt?: string,
  ): Promise<void> {
    const patch: Partial<Row> = { status };
    if (status === 'Running') {
      await this.knex(TABLE)
        .where(keyOf(key))
        .whereNull('started_at')
        .update({ started_at: new Date().toISOString() });
    }
    if (completedAt) patch.completed_at = completedAt;
    await this.knex(TABLE).where(keyOf(key)).update(patch);
  }

  /**
   * Takes the writing of `to` on the run's commit: true only for the one
   * caller (of any replica) that finds the commit showing `from` and the
   * run in status `to`, so each state change is written once. A write that
   * then fails hands it back with `claimReport(key, to, from)`.
   */
  async claimReport(
    key: RunKey,
    from: RunStatus | undefined,
    to: RunStatus | undefined,
    options: { status?: RunStatus } = {},
  ): Promise<boolean> {
    const count = await this.knex(TABLE)
      .where(keyOf(key))
      .modify(q => {
        if (from) q.where('reported_status', from);
        else q.whereNull('reported_status');
        if (options.status) q.where('status', options.status);
      })
      .update({ reported_status: to ?? null });
    return count === 1;
  }

  /** Remembers which status the commit shows now. */
  async markReported(key: RunKey, status: RunStatus): Promise<void> {
    await this.knex(TABLE)
      .where(keyOf(key))
      .update({ reported_status: status });
  }

  /** Forgets a run (housekeeping deleted it from its cluster). */
  /**
   * The namespaces the engine created runs in (each checked to be a team
   * namespace of the run's owner when it was created): the only places
   * housekeeping touches.
   */
  async namespaces(): Promise<Array<{ cluster: string; namespace: string }>> {
    return this.knex('spotguides_runs')
      .distinct('cluster', 'namespace')
      .orderBy(['cluster', 'namespace']);
  }

  async delete(key: RunKey): Promise<void> {
    await this.knex(TABLE).where(keyOf(key)).delete();
  }
}

function toRecord(row: Row): RunRecord {
  return {
    cluster: row.cluster,
    namespace: row.namespace,
    name: row.name,
    pipeline: row.pipeline,
    entityRef: row.entity_ref,
    repository: row.repository,
    sha: row.sha,
    ...(row.ref ? { ref: row.ref } : {}),
    event: row.event,
    deliveryId: row.delivery_id,
    statusContext: row.status_context,
    status: row.status as RunStatus,
    ...(row.reported_status
      ? { reportedStatus: row.reported_status as RunStatus }
      : {}),
    createdAt: row.created_at,
    ...(row.started_at ? { startedAt: row.started_at } : {}),
    ...(row.completed_at ? { completedAt: row.completed_at } : {}),
  };
}
