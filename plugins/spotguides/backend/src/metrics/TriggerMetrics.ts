import type { MetricsService } from '@backstage/backend-plugin-api/alpha';

/** The queue's state at a scrape. */
export interface QueueStats {
  /** Deliveries queued (leased or not). */
  depth: number;
  /** Seconds since the oldest queued delivery was received; 0 when empty. */
  oldestAgeSeconds: number;
}

/**
 * The trigger engine's metrics (OpenTelemetry, exported for Prometheus):
 * deliveries by decision, the time from acceptance to decision, the queue's
 * depth and age, and GitHub's answers and rate-limit waits.
 */
export class TriggerMetrics {
  private readonly decisions;
  private readonly latency;
  private readonly github;
  private readonly rateLimits;

  constructor(metrics: MetricsService, queue?: () => Promise<QueueStats>) {
    this.decisions = metrics.createCounter(
      'pipeline_portal.trigger.deliveries',
      { description: 'Deliveries decided, by decision' },
    );
    this.latency = metrics.createHistogram(
      'pipeline_portal.trigger.decision_latency',
      {
        description: 'From a delivery accepted to its decision recorded',
        unit: 's',
      },
    );
    this.github = metrics.createCounter('pipeline_portal.github.requests', {
      description: 'Requests to GitHub, by status',
    });
    this.rateLimits = metrics.createCounter(
      'pipeline_portal.github.rate_limit_waits',
      { description: 'Rate limits met, by kind (primary, secondary)' },
    );
    if (queue) {
      const depth = metrics.createObservableGauge(
        'pipeline_portal.trigger.queue_depth',
        { description: 'Deliveries queued' },
      );
      const age = metrics.createObservableGauge(
        'pipeline_portal.trigger.queue_oldest_age',
        { description: 'Age of the oldest queued delivery', unit: 's' },
      );
      depth.addCallback(async result => {
        const stats = await queue().catch(() => undefined);
        if (stats) result.observe(stats.depth);
      });
      age.addCallback(async result => {
        const stats = await queue().catch(() => undefined);
        if (stats) result.observe(stats.oldestAgeSeconds);
      });
    }
  }

  /** A delivery decided `decision`, `receivedAt` being when it was accepted. */
  decided(decision: string, receivedAt: string, now = Date.now()): void {
    this.decisions.add(1, { decision });
    const ms = now - Date.parse(receivedAt);
    if (Number.isFinite(ms) && ms >= 0) {
      this.latency.record(ms / 1000, { decision });
    }
  }

  /** GitHub answered `status` (0: no answer). */
  githubRequest(status: number): void {
    this.github.add(1, { status: String(status) });
  }

  rateLimited(kind: 'primary' | 'secondary'): void {
    this.rateLimits.add(1, { kind });
  }
}
