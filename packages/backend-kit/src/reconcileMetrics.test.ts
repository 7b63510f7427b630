import { recordedMetrics } from '@pipeline-portal/testing';
import { reconcileMetrics } from './reconcileMetrics';

describe('reconcileMetrics', () => {
  it('counts passes by result, their duration and their items by outcome', async () => {
    const { metrics, collect } = recordedMetrics();
    const record = reconcileMetrics(metrics, 'integrated-services');
    record({
      result: 'ok',
      durationMs: 1500,
      items: { instances: 4, drifted: 1, failed: 0 },
    });
    record({ result: 'ok', durationMs: 500, items: { drifted: 2 } });
    record({ result: 'failed', durationMs: 10 });

    const got = await collect();
    expect(got.get('pipeline_portal.reconcile.passes')).toEqual(
      expect.arrayContaining([
        {
          attributes: { reconciler: 'integrated-services', result: 'ok' },
          value: 2,
        },
        {
          attributes: { reconciler: 'integrated-services', result: 'failed' },
          value: 1,
        },
      ]),
    );
    expect(got.get('pipeline_portal.reconcile.items')).toEqual(
      expect.arrayContaining([
        {
          attributes: { reconciler: 'integrated-services', outcome: 'drifted' },
          value: 3,
        },
        {
          attributes: {
            reconciler: 'integrated-services',
            outcome: 'instances',
          },
          value: 4,
        },
      ]),
    );
    // Zero counts are not reported as series of their own.
    expect(
      got
        .get('pipeline_portal.reconcile.items')!
        .some(p => p.attributes.outcome === 'failed'),
    ).toBe(false);
    expect(got.get('pipeline_portal.reconcile.pass_duration')).toEqual([
      {
        attributes: { reconciler: 'integrated-services' },
        value: { count: 3, sum: 2.01 },
      },
    ]);
  });
});
