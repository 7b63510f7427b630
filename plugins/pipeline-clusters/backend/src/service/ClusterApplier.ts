import { LoggerService } from '@backstage/backend-plugin-api';
import type { KubernetesObject } from '@kubernetes/client-node';
import {
  correction,
  describeDrift,
  ObjectDrift,
  RateLimiter,
} from '@pipeline-portal/backend-kit';
import { CLUSTER_LABEL } from '../distributions/labels';
import { ManagementCluster } from '../management/ManagementCluster';
import { ClusterPlan } from './clusterPlan';

export interface ClusterApplierOptions {
  management: ManagementCluster;
  logger: LoggerService;
}

/**
 * Writes a cluster's plan to the management cluster: its objects, the
 * corrections of drifted ones, and the deletion of what it no longer renders.
 */
export class ClusterApplier {
  private namespaceReady = false;

  constructor(private readonly options: ClusterApplierOptions) {}

  /**
   * Server-side applies the credential and engine objects. A first revision
   * has nothing to leave behind; a later one may have dropped a node pool
   * whose objects go with it. Returns what it deleted.
   */
  async write(
    plan: ClusterPlan,
    limiter: RateLimiter,
  ): Promise<KubernetesObject[]> {
    const all = [...plan.credentialObjects, ...plan.objects];
    await this.ensureNamespace(limiter);
    await this.options.management.apply(all, limiter);
    return plan.record.appliedRevision > 0
      ? this.pruneUnrendered(plan, all, limiter)
      : [];
  }

  /**
   * Server-side applies (forced, as the portal's field manager) the drifted
   * and missing objects in render order; objects still being deleted are
   * recreated on a later pass. Returns the message for the history.
   */
  async correctDrift(
    plan: ClusterPlan,
    live: Array<KubernetesObject | undefined>,
    drift: ObjectDrift[],
    limiter: RateLimiter,
  ): Promise<string> {
    const { management, logger } = this.options;
    const fixes = drift
      .map(d =>
        correction(
          d,
          live[plan.objects.indexOf(d.object)],
          plan.rulesFor(d.object),
        ),
      )
      .filter((o): o is KubernetesObject => o !== undefined);
    const message = describeDrift(drift);
    logger.info(`cluster ${plan.record.name}: ${message}`);
    if (drift.some(d => d.kind === 'missing' && d.object.metadata?.namespace)) {
      // Whoever deleted the object may have deleted the namespace with it.
      await management.ensureNamespace(limiter);
    }
    await management.apply(fixes, limiter);
    return message;
  }

  /**
   * Deletes what a removed node pool left behind; what is still going
   * (finalizers) is returned, so an update waits for it.
   */
  async pruneLeftovers(
    plan: ClusterPlan,
    limiter: RateLimiter,
  ): Promise<KubernetesObject[]> {
    return this.pruneUnrendered(
      plan,
      [...plan.credentialObjects, ...plan.objects],
      limiter,
    );
  }

  /**
   * Deletes the engine objects, dependents first (render order is the
   * reverse), and any stray an earlier revision left behind.
   */
  async deleteEngineObjects(plan: ClusterPlan, limiter: RateLimiter) {
    await this.options.management.delete([...plan.objects].reverse(), limiter);
    // The rendered objects were just asked to go: only strays are left.
    await this.pruneUnrendered(plan, plan.objects, limiter);
  }

  /** Deletes the credential objects once the cluster is gone. */
  async deleteCredentialObjects(plan: ClusterPlan, limiter: RateLimiter) {
    if (plan.credentialProblem) {
      this.options.logger.warn(
        `cluster ${plan.record.name}: credential objects left on the management cluster: ${plan.credentialProblem}`,
      );
    }
    await this.options.management.delete(plan.credentialObjects, limiter);
  }

  /** Creates the portal's namespace once per process, before the first write. */
  private async ensureNamespace(limiter: RateLimiter) {
    if (!this.namespaceReady) {
      await this.options.management.ensureNamespace(limiter);
      this.namespaceReady = true;
    }
  }

  /**
   * Deletes the objects of the rendered kinds that carry the cluster's label
   * but are not among `keep` (a removed node pool's MachinePool and its
   * provider pool), dependents first. Returns what it deleted.
   */
  private async pruneUnrendered(
    plan: ClusterPlan,
    keep: KubernetesObject[],
    limiter: RateLimiter,
  ): Promise<KubernetesObject[]> {
    const kinds = new Map<string, KubernetesObject>();
    for (const o of plan.objects) {
      const kind = {
        apiVersion: o.apiVersion,
        kind: o.kind,
        metadata: { namespace: o.metadata?.namespace },
      };
      kinds.set(headerKey(kind), kind);
    }
    const labelled = await this.options.management.listLabelled(
      [...kinds.values()],
      `${CLUSTER_LABEL}=${plan.record.name}`,
      limiter,
    );
    const kept = new Set(keep.map(headerKey));
    const strays = labelled.filter(o => !kept.has(headerKey(o))).reverse();
    await this.options.management.delete(strays, limiter);
    return strays;
  }
}

/** `MachinePool demo-gpu, AWSManagedMachinePool demo-gpu`, for messages. */
export function describeObjects(objects: KubernetesObject[]): string {
  return objects.map(o => `${o.kind} ${o.metadata?.name}`).join(', ');
}

function headerKey(o: KubernetesObject): string {
  return `${o.apiVersion}/${o.kind}/${o.metadata?.namespace ?? ''}/${
    o.metadata?.name ?? ''
  }`;
}
