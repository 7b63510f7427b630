import { LoggerService } from '@backstage/backend-plugin-api';
import type { KubernetesObject, V1Secret } from '@kubernetes/client-node';
import {
  ClusterPhase,
  ClusterSpec,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import {
  correction,
  describeDrift,
  detectDrift,
  engineMustCatchUp,
  ObjectDrift,
  RateLimiter,
} from '@pipeline-portal/backend-kit';
import pLimit from 'p-limit';
import { parse } from 'yaml';
import { cloudContextFromCredential, getDistribution } from '../distributions';
import { CLUSTER_LABEL } from '../distributions/labels';
import {
  ClusterDistribution,
  DriftRules,
  RenderContext,
} from '../distributions/types';
import { ManagementApiError, toManagementApiError } from '../management/errors';
import { ManagementCluster } from '../management/ManagementCluster';
import { SecretStore } from '../secrets/SecretStore';
import { ClusterRecord, ClusterStore } from '../store/ClusterStore';
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

  constructor(private readonly options: ReconcilerOptions) {
    this.concurrency = options.concurrency ?? 40;
    this.qps = options.requestsPerSecondPerCluster ?? 20;
    this.batchSize = options.batchSize ?? 500;
    this.baseBackoffMs = options.baseBackoffMs ?? 1000;
    this.maxBackoffMs = options.maxBackoffMs ?? 300_000;
    this.resyncMs = options.resyncMs ?? 60_000;
    this.provisioningTimeoutMs = options.provisioningTimeoutMs ?? 3_600_000;
    this.now = options.now ?? Date.now;
  }

  async runOnce(): Promise<PassResult> {
    const due = await this.options.store.dueForReconcile(
      this.now(),
      this.batchSize,
    );
    const limit = pLimit(this.concurrency);
    const results = await Promise.all(
      due.map(record => limit(() => this.reconcile(record))),
    );
    return {
      reconciled: results.filter(Boolean).length,
      failed: results.filter(r => !r).length,
    };
  }

  private namespaceReady = false;

  /** Creates the portal's namespace once per process, before the first write. */
  private async ensureNamespace(limiter: RateLimiter) {
    if (!this.namespaceReady) {
      await this.options.management.ensureNamespace(limiter);
      this.namespaceReady = true;
    }
  }

  /** Reconciles one cluster; false when it must be retried later. */
  async reconcile(record: ClusterRecord): Promise<boolean> {
    const limiter = new RateLimiter(this.qps);
    try {
      if (record.phase === 'Deleting') {
        await this.reconcileDeletion(record, limiter);
      } else {
        await this.reconcileSpec(record, limiter);
      }
      return true;
    } catch (error) {
      await this.handleFailure(record, error);
      return false;
    }
  }

  private context(
    record: ClusterRecord,
    credential?: Record<string, string>,
  ): RenderContext {
    const spec = record.spec!;
    return {
      namespace: this.options.management.namespace,
      credentialSecretName: `${record.name}-credentials`,
      cloud: credential
        ? cloudContextFromCredential(spec.distribution, credential)
        : undefined,
    };
  }

  private async credentialValue(
    spec: ClusterSpec,
  ): Promise<Record<string, string>> {
    const secret = await this.options.secrets.get({
      owner: spec.owner,
      name: spec.credential,
    });
    if (!secret) {
      throw new ManagementApiError(
        `credential "${spec.credential}" of ${spec.owner} no longer exists`,
        false,
      );
    }
    return secret.value;
  }

  private async reconcileSpec(initial: ClusterRecord, limiter: RateLimiter) {
    const record = initial;
    const { management, store } = this.options;
    const spec = record.spec!;
    const distribution = getDistribution(spec.distribution);
    const credential = await this.credentialValue(spec);
    const ctx = this.context(record, credential);
    const objects = distribution.render(spec, ctx);

    const credentialObjects = distribution.credentialObjects(
      spec,
      ctx,
      credential,
    );

    if (record.appliedRevision < record.revision) {
      await this.ensureNamespace(limiter);
      await management.apply([...credentialObjects, ...objects], limiter);
      // A first revision has nothing to leave behind; a later one may have
      // dropped a node pool whose objects must go with it.
      const pruned =
        record.appliedRevision > 0
          ? await this.pruneUnrendered(
              record.name,
              [...credentialObjects, ...objects],
              objects,
              limiter,
            )
          : [];
      // What was just written is not ready yet: read it back next pass
      // rather than spend requests on it now.
      await store.update(record.name, record.revision, {
        appliedRevision: record.revision,
        phase: PHASE_AFTER_APPLY[record.phase] ?? record.phase,
        message: `resources written to the management cluster (revision ${
          record.revision
        })${
          pruned.length
            ? `; deleted ${pruned.map(describeHeader).join(', ')}`
            : ''
        }`,
        failures: 0,
        reconcileAfter: 0,
      });
      return;
    }

    const live = await management.read(objects, limiter);
    const observed = distribution.readStatus(spec, live);
    const fields = { ...record.observed };
    if (observed.kubernetesVersion)
      fields.kubernetesVersion = observed.kubernetesVersion;
    if (observed.nodeCount !== undefined) fields.nodeCount = observed.nodeCount;
    if (observed.apiServer) fields.apiServer = observed.apiServer;

    // The objects just read are compared with the rendered ones at no extra
    // request; only drift costs writes.
    const rulesFor = driftRulesOf(distribution, spec);
    const drift = detectDrift(objects, live, rulesFor);
    let driftMessage: string | undefined;
    if (drift.length) {
      driftMessage = await this.correctDrift(record, objects, live, drift, {
        rulesFor,
        limiter,
      });
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
      const leaving = await this.pruneUnrendered(
        record.name,
        [...credentialObjects, ...objects],
        objects,
        limiter,
      );
      if (leaving.length) {
        phase = 'Updating';
        message = `waiting for ${leaving.map(describeHeader).join(', ')} to go`;
      }
    }

    if (phase === 'Running') {
      const apiServer = await this.storeKubeconfig(
        record,
        distribution.kubeconfigLocation(spec, ctx),
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

  /**
   * Server-side applies (forced, as the portal's field manager) the drifted
   * and missing objects in render order; objects still being deleted are
   * recreated on a later pass. Returns the message for the history.
   */
  private async correctDrift(
    record: ClusterRecord,
    objects: KubernetesObject[],
    live: Array<KubernetesObject | undefined>,
    drift: ObjectDrift[],
    options: {
      rulesFor: (object: KubernetesObject) => DriftRules;
      limiter: RateLimiter;
    },
  ): Promise<string> {
    const { management, logger } = this.options;
    const fixes = drift
      .map(d =>
        correction(
          d,
          live[objects.indexOf(d.object)],
          options.rulesFor(d.object),
        ),
      )
      .filter((o): o is KubernetesObject => o !== undefined);
    const message = describeDrift(drift);
    logger.info(`cluster ${record.name}: ${message}`);
    if (drift.some(d => d.kind === 'missing' && d.object.metadata?.namespace)) {
      // Whoever deleted the object may have deleted the namespace with it.
      await management.ensureNamespace(options.limiter);
    }
    await management.apply(fixes, options.limiter);
    return message;
  }

  /** Copies the engine's kubeconfig into the secret store; its server, or undefined. */
  private async storeKubeconfig(
    record: ClusterRecord,
    location: { namespace: string; name: string; key: string },
    limiter: RateLimiter,
  ): Promise<string | undefined> {
    const secret: V1Secret | undefined =
      await this.options.management.readSecret(
        location.namespace,
        location.name,
        limiter,
      );
    const encoded = secret?.data?.[location.key];
    if (!encoded) return undefined;
    const kubeconfig = Buffer.from(encoded, 'base64').toString('utf8');
    const ref = {
      owner: record.owner,
      name: kubeconfigSecretName(record.name),
    };
    const stored = await this.options.secrets.get(ref);
    if (stored?.value.kubeconfig !== kubeconfig) {
      await this.options.secrets.put(
        { ...ref, kind: 'kubeconfig', value: { kubeconfig } },
        { overwrite: true },
      );
    }
    try {
      const server = parse(kubeconfig)?.clusters?.[0]?.cluster?.server;
      return typeof server === 'string' ? server : 'unknown';
    } catch {
      return 'unknown';
    }
  }

  private async reconcileDeletion(
    initial: ClusterRecord,
    limiter: RateLimiter,
  ) {
    let record = initial;
    const { management, store, secrets } = this.options;
    const spec = record.spec!;
    const distribution = getDistribution(spec.distribution);
    const credential = await this.options.secrets.get({
      owner: spec.owner,
      name: spec.credential,
    });
    const ctx = credential
      ? this.context(record, credential.value)
      : // Names do not depend on the cloud coordinates; placeholders let
        // engines that require them render when the credential is gone.
        {
          ...this.context(record),
          cloud: { gcpProject: 'unknown', ociCompartmentId: 'unknown' },
        };
    const objects = distribution.render(spec, ctx);

    if (record.appliedRevision < record.revision) {
      // Dependents last in render order, so delete in reverse; objects of
      // pools that an earlier revision left behind go too.
      await management.delete([...objects].reverse(), limiter);
      // The rendered objects were just asked to go: only strays are left.
      await this.pruneUnrendered(record.name, objects, objects, limiter);
      record = await store.update(record.name, record.revision, {
        appliedRevision: record.revision,
        message: 'deleting the engine resources',
      });
    }
    const remaining = (await management.read(objects, limiter)).filter(Boolean);
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
    await management.delete(
      this.credentialObjectsToDelete(record, ctx, credential?.value),
      limiter,
    );
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

  /**
   * Deletes the objects of the rendered kinds that carry the cluster's label
   * but are not among `keep` (a removed node pool's MachinePool and its
   * provider pool), dependents first. Returns what it deleted.
   */
  private async pruneUnrendered(
    clusterName: string,
    keep: KubernetesObject[],
    rendered: KubernetesObject[],
    limiter: RateLimiter,
  ): Promise<KubernetesObject[]> {
    const kinds = new Map<string, KubernetesObject>();
    for (const o of rendered) {
      const kind = {
        apiVersion: o.apiVersion,
        kind: o.kind,
        metadata: { namespace: o.metadata?.namespace },
      };
      kinds.set(headerKey(kind), kind);
    }
    const labelled = await this.options.management.listLabelled(
      [...kinds.values()],
      `${CLUSTER_LABEL}=${clusterName}`,
      limiter,
    );
    const kept = new Set(keep.map(headerKey));
    const strays = labelled.filter(o => !kept.has(headerKey(o))).reverse();
    await this.options.management.delete(strays, limiter);
    return strays;
  }

  /**
   * The credential objects to remove once the cluster is gone. Only their
   * names matter; when the credential itself was deleted meanwhile they are
   * rendered from a blank value of the same kind.
   */
  private credentialObjectsToDelete(
    record: ClusterRecord,
    ctx: RenderContext,
    value: Record<string, string> | undefined,
  ) {
    const spec = record.spec!;
    const blank = new Proxy({} as Record<string, string>, { get: () => '' });
    try {
      return getDistribution(spec.distribution).credentialObjects(
        spec,
        ctx,
        value ?? blank,
      );
    } catch (error) {
      this.options.logger.warn(
        `cluster ${record.name}: credential objects left on the management cluster: ${error}`,
      );
      return [];
    }
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
        this.options.logger.warn(
          `cluster ${record.name}: ${failure.message}; retry ${failures} in ${delay} ms`,
        );
        const current = await this.options.store.get(record.name);
        if (current) {
          await this.options.store.update(record.name, current.revision, {
            failures,
            reconcileAfter: this.now() + delay,
          });
        }
      } else {
        this.options.logger.warn(`cluster ${record.name}: ${failure.message}`);
        const current = await this.options.store.get(record.name);
        if (current && current.revision === record.revision) {
          await this.options.store.update(record.name, current.revision, {
            phase: 'Error',
            message: failure.message,
            failures: record.failures + 1,
            reconcileAfter: this.now() + this.resyncMs,
          });
        }
      }
    } catch (storeError) {
      // A concurrent user change wins; the next pass starts from it.
      this.options.logger.debug(
        `cluster ${record.name}: failure not recorded: ${storeError}`,
      );
    }
  }
}

function driftRulesOf(distribution: ClusterDistribution, spec: ClusterSpec) {
  return (object: KubernetesObject): DriftRules =>
    distribution.driftRules?.(spec, object) ?? {};
}

function formatDuration(ms: number): string {
  return ms >= 60_000
    ? `${Math.round(ms / 60_000)} minutes`
    : `${Math.round(ms / 1000)} seconds`;
}

function headerKey(o: KubernetesObject): string {
  return `${o.apiVersion}/${o.kind}/${o.metadata?.namespace ?? ''}/${
    o.metadata?.name ?? ''
  }`;
}

function describeHeader(o: KubernetesObject): string {
  return `${o.kind} ${o.metadata?.name}`;
}
