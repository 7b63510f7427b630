import type { LoggerService } from '@backstage/backend-plugin-api';
import { mapWithConcurrency } from '@pipeline-portal/backend-kit';
import { InstanceReconciler } from '../core/InstanceReconciler';
import { Clusters } from './ClusterDirectory';
import type { Definitions } from './IntegratedServices';

export interface FleetPassResult {
  clusters: number;
  instances: number;
  failed: number;
  drifted: number;
  /** Clusters that could not be reached this pass. */
  unreachable: number;
}

/**
 * One pass over every Running cluster of the portal, at most `concurrency`
 * at once, each within its own request budget (its connection's limiter).
 * Run by the scheduler, so once across replicas; a cluster that fails is
 * logged and tried again next pass.
 */
export class FleetReconciler {
  constructor(
    private readonly options: {
      directory: Clusters;
      definitions: Definitions;
      namespace: string;
      concurrency: number;
      baseBackoffMs: number;
      maxBackoffMs: number;
      logger: LoggerService;
    },
  ) {}

  /**
   * One pass over every cluster. Once `signal` aborts (the replica is
   * stopping, or the pass ran past its timeout) no further cluster is
   * started; the next pass, wherever it runs, covers them.
   */
  async runOnce(signal?: AbortSignal): Promise<FleetPassResult> {
    const { directory, logger } = this.options;
    const [clusters, definitions] = await Promise.all([
      directory.list(),
      this.options.definitions.all(),
    ]);
    const result: FleetPassResult = {
      clusters: clusters.length,
      instances: 0,
      failed: 0,
      drifted: 0,
      unreachable: 0,
    };
    await mapWithConcurrency(clusters, this.options.concurrency, async c => {
      if (signal?.aborted) return;
      const reconciler = new InstanceReconciler({
        definitions: name => definitions.get(name),
        credentials: name => directory.credential(c.owner, name),
        baseBackoffMs: this.options.baseBackoffMs,
        maxBackoffMs: this.options.maxBackoffMs,
        log: message => logger.info(message),
      });
      try {
        const conn = await directory.connect(c);
        const pass = await reconciler.reconcileCluster(
          conn,
          this.options.namespace,
        );
        result.instances += pass.instances;
        result.failed += pass.failed;
        result.drifted += pass.drifted;
      } catch (error) {
        result.unreachable++;
        logger.warn(`cluster ${c.name}: ${(error as Error).message}`);
      }
    });
    return result;
  }
}
