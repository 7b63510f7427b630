import type { ClusterConnection } from '../core/ClusterConnection';
import {
  ClusterPassResult,
  InstanceReconciler,
} from '../core/InstanceReconciler';
import { isPortalManaged, ServiceInstance } from '../core/instance';
import type { IntegratedServiceEntity } from '@pipeline-portal/plugin-integrated-services-common';

/** Which ServiceInstances the operator acts on. */
export type OperatorScope =
  /** Every instance: no portal manages this cluster. */
  | 'all'
  /** Only those the portal did not create, beside a portal that manages the rest. */
  | 'external';

export interface OperatorOptions {
  conn: ClusterConnection;
  namespace: string;
  definitions: Map<string, IntegratedServiceEntity>;
  scope?: OperatorScope;
  intervalMs: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
}

/**
 * The reconcile loop inside one cluster, without the portal: the same
 * InstanceReconciler on the pod's own connection, one pass per interval.
 * Secrets a service needs must already exist on the cluster (there is no
 * credential store here).
 */
export class Operator {
  private readonly reconciler: InstanceReconciler;
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopped = false;

  constructor(private readonly options: OperatorOptions) {
    const scope = options.scope ?? 'all';
    this.reconciler = new InstanceReconciler({
      definitions: name => options.definitions.get(name),
      manages:
        scope === 'all'
          ? () => true
          : (i: ServiceInstance) => !isPortalManaged(i),
      baseBackoffMs: options.baseBackoffMs,
      maxBackoffMs: options.maxBackoffMs,
      log: message => options.log('info', message),
    });
  }

  /** One pass over the namespace's instances; never throws. */
  async runOnce(): Promise<ClusterPassResult | undefined> {
    try {
      const result = await this.reconciler.reconcileCluster(
        this.options.conn,
        this.options.namespace,
      );
      if (result.failed) {
        this.options.log(
          'warn',
          `pass: ${result.instances} instances, ${result.failed} failed`,
        );
      }
      return result;
    } catch (error) {
      this.options.log('error', `pass failed: ${(error as Error).message}`);
      return undefined;
    }
  }

  /** Runs a pass now and then one per interval until stopped. */
  start(): void {
    const tick = () => {
      this.running = this.runOnce().finally(() => {
        if (!this.stopped) {
          this.timer = setTimeout(tick, this.options.intervalMs);
        }
      });
    };
    tick();
  }

  /** Stops after the pass in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
