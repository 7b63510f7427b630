import type { MetricsService } from '@backstage/backend-plugin-api/alpha';
import {
  AggregationTemporality,
  DataPoint,
  MeterProvider,
  MetricReader,
} from '@opentelemetry/sdk-metrics';

class ManualReader extends MetricReader {
  protected async onShutdown() {}
  protected async onForceFlush() {}
}

/** One instrument's data points as collected: attributes and value. */
export type CollectedPoints = Array<{
  attributes: Record<string, unknown>;
  /** A counter's or gauge's value; a histogram's count and sum. */
  value: number | { count: number; sum: number };
}>;

/**
 * A MetricsService backed by a real OpenTelemetry meter whose readings a
 * test collects on demand: what the Prometheus exporter would scrape.
 */
export function recordedMetrics(): {
  metrics: MetricsService;
  collect(): Promise<Map<string, CollectedPoints>>;
} {
  const reader = new ManualReader({
    aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE,
  });
  const provider = new MeterProvider({ readers: [reader] });
  const meter = provider.getMeter('test');
  const metrics: MetricsService = {
    createCounter: (n, o) => meter.createCounter(n, o),
    createUpDownCounter: (n, o) => meter.createUpDownCounter(n, o),
    createHistogram: (n, o) => meter.createHistogram(n, o),
    createGauge: (n, o) => meter.createGauge(n, o),
    createObservableCounter: (n, o) => meter.createObservableCounter(n, o),
    createObservableUpDownCounter: (n, o) =>
      meter.createObservableUpDownCounter(n, o),
    createObservableGauge: (n, o) => meter.createObservableGauge(n, o),
  };
  return {
    metrics,
    async collect() {
      const { resourceMetrics } = await reader.collect();
      const out = new Map<string, CollectedPoints>();
      for (const scope of resourceMetrics.scopeMetrics) {
        for (const metric of scope.metrics) {
          out.set(
            metric.descriptor.name,
            (metric.dataPoints as DataPoint<any>[]).map(p => ({
              attributes: { ...p.attributes },
              value:
                typeof p.value === 'number'
                  ? p.value
                  : { count: p.value.count, sum: p.value.sum ?? 0 },
            })),
          );
        }
      }
      return out;
    },
  };
}
