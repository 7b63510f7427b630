import { LoggerService } from '@backstage/backend-plugin-api';
import {
  detectDrift,
  engineMustCatchUp,
  mapWithConcurrency,
  RateLimiter,
} from '@pipeline-portal/backend-kit';
import { ClusterPhase } from '@pipeline-portal/plugin-pipeline-clusters-common';
import { ObservedStatus } from '../distributions/types';
import { toManagementApiError } from '../management/errors';
import { ManagementCluster } from '../management/ManagementCluster';
import { SecretStore } from '../secrets/SecretStore';
import {
  ClusterRecord,
  ClusterStore,
  ObservedFields,
} from '../store/ClusterStore';
import { ClusterApplier, describeObjects } from './ClusterApplier';
import { ClusterPlan, planCluster } from './clusterPlan';
import { copyEngineKubeconfig } from './engineKubeconfig';
import { kubeconfigSecretName } from './kubeconfigSecrets';

export interface ReconcilerOptions {
  store: ClusterStore;
  secrets: SecretStore;
  management: ManagementCluster;
  logger: LoggerService;
  /** Clusters reconciled at once. @default 40 */
  concurrency?: number;
  /** Upper bound of requests per second against one cluster's objects. @default 20 */
  requestsPerSecondPerCluster?: number;
  /** Clusters picked per pass. @default 500 */
  batchSize?: number;
  /** First retry delay after a transient failure; doubles up to maxBackoffMs. @default 1000 */
  baseBackoffMs?: number;
  /** @default 300000 (5 minutes) */
  maxBackoffMs?: number;
  /** How often a Running cluster's status is read again. @default 60000 */
  resyncMs?: number;
  /** Provisioning or updating longer than this turns into Error. @default 3600000 */
  provisioningTimeoutMs?: number;
  now?: () => number;
}

/** What writing the engine's resources means for the phase shown. */
const PHASE_AFTER_APPLY: Partial<Record<ClusterPhase, ClusterPhase>> = {
  Pending: 'Provisioning',
  Running: 'Updating',
};

/**
 * What putting drifted objects back means for the phase shown: the engine
 * works towards the corrected objects, so a settled cluster is Updating until
 * the next read says it settled again.
 */
const PHASE_AFTER_CORRECTION: Partial<Record<ClusterPhase, ClusterPhase>> = {
  Running: 'Updating',
  Error: 'Updating',
};

/** Outcome of one reconcile pass, for logs and benchmarks. */
export interface PassResult {
  reconciled: number;
  failed: number;
}

/**
 * Advances each cluster towards its spec: writes the engine's resources on
 * the management cluster, reads their status back, stores the kubeconfig once
 * the engine wrote it, and deletes. Run by Backstage's scheduler so that one
 * replica at a time does it; every step is idempotent, so a pass interrupted
 * by a restart is simply done again.
 */
export class ClusterReconciler {
  private readonly concurrency: number;
  private readonly qps: number;
  private readonly batchSize: number;
  private readonly baseBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly resyncMs: number;
  private readonly provisioningTimeoutMs: number;
  private readonly now: () => number;
  private readonly applier: ClusterApplier;

  constructor(private readonly options: ReconcilerOptions) {
    this.concurrency = options.concurrency ?? 40;
    this.qps = options.requestsPerSecondPerCluster ?? 20;
    this.batchSize = options.batchSize ?? 500;
    this.baseBackoffMs = options.baseBackoffMs ?? 1000;
    this.maxBackoffMs = options.maxBackoffMs ?? 300_000;
    this.resyncMs = options.resyncMs ?? 60_000;
    this.provisioningTimeoutMs = options.provisioningTimeoutMs ?? 3_600_000;
    this.now = options.now ?? Date.now;
    this.applier = new ClusterApplier(options);
  }

  /**
   * One pass over the clusters due. Once `signal` aborts (the replica is
   * stopping, or the pass ran past its timeout) no further cluster is
   * started; those left are due again at the next pass, wherever it runs.
   */
  async runOnce(signal?: AbortSignal): Promise<PassResult> {
    const due = await this.options.store.dueForReconcile(
      this.now(),
      this.batchSize,
    );
    const results = await mapWithConcurrency(
      due,
      this.concurrency,
      async (record): Promise<boolean | undefined> =>
        signal?.aborted ? undefined : this.reconcile(record),
    );
    return {
      reconciled: results.filter(r => r === true).length,
      failed: results.filter(r => r === false).length,
    };
  }

  /** Reconciles one cluster; false when it must be retried later. */
  async reconcile(record: ClusterRecord): Promise<boolean> {
    const limiter = new RateLimiter(this.qps);
    try {
      const plan = await planCluster(record, {
        secrets: this.options.secrets,
        namespace: this.options.management.namespace,
      });
      if (record.phase === 'Deleting') {
        await this.reconcileDeletion(plan, limiter);
      } else {
        await this.reconcileSpec(plan, limiter);
      }
      return true;
    } catch (error) {
      await this.handleFailure(record, error);
      return false;
    }
  }

  private async reconcileSpec(plan: ClusterPlan, limiter: RateLimiter) {
    const { record } = plan;
    const { management, store } = this.options;

    if (record.appliedRevision < record.revision) {
      const pruned = await this.applier.write(plan, limiter);
      // What was just written is not ready yet: read it back next pass
      // rather than spend requests on it now.
      await store.update(record.name, record.revision, {
        appliedRevision: record.revision,
        phase: PHASE_AFTER_APPLY[record.phase] ?? record.phase,
        message: `resources written to the management cluster (revision ${
          record.revision
        })${pruned.length ? `; deleted ${describeObjects(pruned)}` : ''}`,
        failures: 0,
        reconcileAfter: 0,
      });
      return;
    }

    const live = await management.read(plan.objects, limiter);
    const observed = plan.distribution.readStatus(plan.spec, live);
    const fields = mergeObserved(record.observed, observed);

    // The objects just read are compared with the rendered ones at no extra
    // request; only drift costs writes.
    const drift = detectDrift(plan.objects, live, plan.rulesFor);
    let driftMessage: string | undefined;
    if (drift.length) {
      driftMessage = await this.applier.correctDrift(
        plan,
        live,
        drift,
        limiter,
      );
      if (engineMustCatchUp(drift)) {
        // What was read predates the correction (and a deleting object reads
        // as Deleting, which is not the user's wish): read again next pass.
        await store.update(record.name, record.revision, {
          phase: PHASE_AFTER_CORRECTION[record.phase] ?? record.phase,
          message: driftMessage,
          observed: fields,
          failures: 0,
          reconcileAfter: 0,
        });
        return;
      }
    }

    let phase: ClusterPhase = observed.phase;
    let message = observed.message ?? '';

    if (phase === 'Running' && record.phase === 'Updating') {
      // The objects of a removed node pool may still be going (finalizers):
      // the update is done once they are gone.
      const leaving = await this.applier.pruneLeftovers(plan, limiter);
      if (leaving.length) {
        phase = 'Updating';
        message = `waiting for ${describeObjects(leaving)} to go`;
      }
    }

    if (phase === 'Running') {
      const apiServer = await copyEngineKubeconfig(
        this.options,
        record,
        plan.kubeconfig,
        limiter,
      );
      if (apiServer) {
        fields.apiServer = fields.apiServer ?? apiServer;
      } else {
        // The engine says ready but has not written the kubeconfig yet.
        phase = 'Provisioning';
        message = 'waiting for the engine to write the kubeconfig';
      }
    } else if (
      (phase === 'Provisioning' || phase === 'Updating') &&
      (await this.inPhaseSince(record)) > this.provisioningTimeoutMs
    ) {
      phase = 'Error';
      message = `${record.phase.toLowerCase()} did not finish within ${formatDuration(
        this.provisioningTimeoutMs,
      )}${message ? `: ${message}` : ''}`;
    }

    if (driftMessage) {
      // Labels or annotations put back: nothing for the engine to do.
      message = message ? `${driftMessage}; ${message}` : driftMessage;
    }
    await store.update(record.name, record.revision, {
      phase,
      message,
      observed: fields,
      failures: 0,
      reconcileAfter:
        phase === 'Running' || phase === 'Error'
          ? this.now() + this.resyncMs
          : 0,
    });
  }

  private async reconcileDeletion(plan: ClusterPlan, limiter: RateLimiter) {
    let record = plan.record;
    const { management, store, secrets } = this.options;

    if (record.appliedRevision < record.revision) {
      await this.applier.deleteEngineObjects(plan, limiter);
      record = await store.update(record.name, record.revision, {
        appliedRevision: record.revision,
        message: 'deleting the engine resources',
      });
    }
    const remaining = (await management.read(plan.objects, limiter)).filter(
      Boolean,
    );
    if (remaining.length > 0) {
      await store.update(record.name, record.revision, {
        message: `waiting for ${
          remaining.length
        } engine resource(s) to go: ${remaining.map(o => o!.kind).join(', ')}`,
        failures: 0,
        reconcileAfter: 0,
      });
      return;
    }
    await this.applier.deleteCredentialObjects(plan, limiter);
    await secrets.delete({
      owner: record.owner,
      name: kubeconfigSecretName(record.name),
    });
    await store.update(record.name, record.revision, {
      phase: 'Deleted',
      message: 'deleted',
      failures: 0,
    });
  }

  /** How long the cluster has been in its current phase. */
  private async inPhaseSince(record: ClusterRecord): Promise<number> {
    const history = await this.options.store.history(record.name);
    let start: string | undefined;
    for (let i = history.length - 1; i >= 0; i--) {
      if (history[i].phase !== record.phase) break;
      start = history[i].at;
    }
    return start ? this.now() - Date.parse(start) : 0;
  }

  private async handleFailure(record: ClusterRecord, error: unknown) {
    const failure = toManagementApiError(error, record.name);
    const { store, logger } = this.options;
    try {
      if (failure.transient) {
        const failures = record.failures + 1;
        const backoff = Math.min(
          this.maxBackoffMs,
          Math.max(
            failure.retryAfterMs ?? 0,
            this.baseBackoffMs * 2 ** (failures - 1),
          ),
        );
        // Jitter spreads retries of many clusters hit by the same outage.
        const delay = Math.round(backoff * (0.8 + Math.random() * 0.4));
        logger.warn(
          `cluster ${record.name}: ${failure.message}; retry ${failures} in ${delay} ms`,
        );
        const current = await store.get(record.name);
        if (current) {
          await store.update(record.name, current.revision, {
            failures,
            reconcileAfter: this.now() + delay,
          });
        }
      } else {
        logger.warn(`cluster ${record.name}: ${failure.message}`);
        const current = await store.get(record.name);
        if (current && current.revision === record.revision) {
          await store.update(record.name, current.revision, {
            phase: 'Error',
            message: failure.message,
            failures: record.failures + 1,
            reconcileAfter: this.now() + this.resyncMs,
          });
        }
      }
    } catch (storeError) {
      // A concurrent user change wins; the next pass starts from it.
      logger.debug(
        `cluster ${record.name}: failure not recorded: ${storeError}`,
      );
    }
  }
}

/** The stored observations, updated with what the engine reports now. */
function mergeObserved(
  stored: ObservedFields,
  observed: ObservedStatus,
): ObservedFields {
  const fields = { ...stored };
  if (observed.kubernetesVersion)
    fields.kubernetesVersion = observed.kubernetesVersion;
  if (observed.nodeCount !== undefined) fields.nodeCount = observed.nodeCount;
  if (observed.apiServer) fields.apiServer = observed.apiServer;
  return fields;
}

function formatDuration(ms: number): string {
  return ms >= 60_000
    ? `${Math.round(ms / 60_000)} minutes`
    : `${Math.round(ms / 1000)} seconds`;
}
