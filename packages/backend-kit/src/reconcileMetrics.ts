import type { MetricsService } from '@backstage/backend-plugin-api/alpha';

/** What a reconcile pass reports: its outcome and counts by kind. */
export interface ReconcilePassMetrics {
  /** The pass ran (`ok`, whatever its items' fate) or threw (`failed`). */
  result: 'ok' | 'failed';
  durationMs: number;
  /** Items by outcome, e.g. `{ reconciled: 3, failed: 1, drifted: 2 }`. */
  items?: Record<string, number>;
}

/**
 * A reconciler's metrics (OpenTelemetry, exported for Prometheus): passes by
 * result, their duration, and the objects each pass handled by outcome
 * (reconciled, failed, drift repaired, clusters unreachable).
 */
export function reconcileMetrics(
  metrics: MetricsService,
  reconciler: string,
): (pass: ReconcilePassMetrics) => void {
  const passes = metrics.createCounter('pipeline_portal.reconcile.passes', {
    description: 'Reconcile passes, by reconciler and result',
  });
  const duration = metrics.createHistogram(
    'pipeline_portal.reconcile.pass_duration',
    { description: 'Duration of a reconcile pass', unit: 's' },
  );
  const items = metrics.createCounter('pipeline_portal.reconcile.items', {
    description: 'Objects handled by reconcile passes, by outcome',
  });
  return pass => {
    passes.add(1, { reconciler, result: pass.result });
    duration.record(pass.durationMs / 1000, { reconciler });
    for (const [outcome, count] of Object.entries(pass.items ?? {})) {
      if (count > 0) items.add(count, { reconciler, outcome });
    }
  };
}
