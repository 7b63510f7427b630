import { recordedMetrics } from '@pipeline-portal/testing';
import { TriggerMetrics } from './TriggerMetrics';

describe('TriggerMetrics', () => {
  it('counts deliveries by decision with the time from acceptance, GitHub answers and rate limits', async () => {
    const { metrics, collect } = recordedMetrics();
    const m = new TriggerMetrics(metrics);
    const now = Date.parse('2026-12-07T10:00:02.000Z');
    m.decided('ran', '2026-12-07T10:00:00.000Z', now);
    m.decided('ran', '2026-12-07T10:00:01.500Z', now);
    m.decided('no-match', '2026-12-07T10:00:01.900Z', now);
    m.githubRequest(200);
    m.githubRequest(200);
    m.githubRequest(403);
    m.rateLimited('secondary');

    const got = await collect();
    expect(got.get('pipeline_portal.trigger.deliveries')).toEqual(
      expect.arrayContaining([
        { attributes: { decision: 'ran' }, value: 2 },
        { attributes: { decision: 'no-match' }, value: 1 },
      ]),
    );
    const ran = got
      .get('pipeline_portal.trigger.decision_latency')!
      .find(p => p.attributes.decision === 'ran')!;
    expect(ran.value).toEqual({ count: 2, sum: 2.5 });
    expect(got.get('pipeline_portal.github.requests')).toEqual(
      expect.arrayContaining([
        { attributes: { status: '200' }, value: 2 },
        { attributes: { status: '403' }, value: 1 },
      ]),
    );
    expect(got.get('pipeline_portal.github.rate_limit_waits')).toEqual([
      { attributes: { kind: 'secondary' }, value: 1 },
    ]);
  });

  it('reads the queue at each collection', async () => {
    const { metrics, collect } = recordedMetrics();
    let stats = { depth: 3, oldestAgeSeconds: 12 };
    // eslint-disable-next-line no-new
    new TriggerMetrics(metrics, async () => stats);
    let got = await collect();
    expect(got.get('pipeline_portal.trigger.queue_depth')).toEqual([
      { attributes: {}, value: 3 },
    ]);
    expect(got.get('pipeline_portal.trigger.queue_oldest_age')).toEqual([
      { attributes: {}, value: 12 },
    ]);
    stats = { depth: 0, oldestAgeSeconds: 0 };
    got = await collect();
    expect(got.get('pipeline_portal.trigger.queue_depth')).toEqual([
      { attributes: {}, value: 0 },
    ]);
  });
});
