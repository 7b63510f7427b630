import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { DeliveryStore } from '../store';
import { Worker } from './Worker';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const delivery = (id: string, repository: string) => ({
  id,
  event: 'push',
  repository,
  payload: { ref: 'refs/heads/main' },
});

describe.each(databases.eachSupportedId())('Worker on %s', id => {
  it('on stop hands its leases back, so another replica decides them at once and none twice', async () => {
    const knex = await databases.init(id);
    const store = await DeliveryStore.create({ database: knex });
    // Two repositories: one delivery of each is being decided when the
    // replica stops; the second of each waits behind the first, claimed.
    for (const [n, repo] of [
      [1, 'acme/a'],
      [2, 'acme/b'],
      [3, 'acme/a'],
      [4, 'acme/b'],
    ] as const) {
      await store.insert(delivery(`d${n}`, repo));
    }
    const decidedBy = new Map<string, string[]>();
    const record = (who: string, d: { id: string }) =>
      decidedBy.set(d.id, [...(decidedBy.get(d.id) ?? []), who]);

    let inFlight = 0;
    const first = new Worker({
      store,
      logger: mockServices.logger.mock(),
      leaseMs: 60_000,
      pollMs: 50,
      // Stuck on a slow cluster until it is told to stop.
      process: (_d, signal) =>
        new Promise((_resolve, reject) => {
          inFlight++;
          signal.addEventListener('abort', () => reject(signal.reason));
        }),
    });
    first.start();
    await waitFor(() => inFlight === 2);

    const queued = await store.queueStats();
    expect(queued.depth).toBe(4);
    const t0 = Date.now();
    await first.stop(300);
    expect(Date.now() - t0).toBeLessThan(2_000);
    const held = await knex('spotguides_deliveries').whereNotNull(
      'lease_owner',
    );
    expect(held).toEqual([]);

    // The other replica, leases of 60 s notwithstanding, takes all four now.
    const decisions: string[] = [];
    const second = new Worker({
      store,
      logger: mockServices.logger.mock(),
      leaseMs: 60_000,
      pollMs: 50,
      process: async d => {
        record('second', d);
        return { decision: 'no-match', reason: 'test' };
      },
      onDecided: (d, outcome) => decisions.push(`${d.id}:${outcome.decision}`),
    });
    second.start();
    await waitFor(async () => {
      const done = await knex('spotguides_deliveries').where({
        state: 'done',
      });
      return done.length === 4;
    });
    await second.stop();
    expect(decisions.sort()).toEqual([
      'd1:no-match',
      'd2:no-match',
      'd3:no-match',
      'd4:no-match',
    ]);
    expect(await store.queueStats()).toEqual({ depth: 0, oldestAgeSeconds: 0 });
    expect([...decidedBy.keys()].sort()).toEqual(['d1', 'd2', 'd3', 'd4']);
    for (const deciders of decidedBy.values()) {
      expect(deciders).toEqual(['second']);
    }
  });
});

describe('Worker', () => {
  it("starts a repository's next delivery once the one before says its ordered part is done, not before", async () => {
    const store = await DeliveryStore.create({
      database: await databases.init('SQLITE_3'),
    });
    for (const n of [1, 2, 3]) await store.insert(delivery(`d${n}`, 'acme/a'));
    const started: string[] = [];
    const orderedBy = new Map<string, () => void>();
    const finish = new Map<string, () => void>();
    const worker = new Worker({
      store,
      logger: mockServices.logger.mock(),
      pollMs: 50,
      process: (d, _signal, ordered) => {
        started.push(d.id);
        orderedBy.set(d.id, ordered);
        return new Promise(resolve =>
          finish.set(d.id, () =>
            resolve({ decision: 'no-match', reason: 'test' }),
          ),
        );
      },
    });
    worker.start();
    await waitFor(() => started.length === 1);
    await new Promise(r => setTimeout(r, 100));
    expect(started).toEqual(['d1']);
    // d1 has read what its successor needs; it is still busy.
    orderedBy.get('d1')!();
    await waitFor(() => started.length === 2);
    expect(started).toEqual(['d1', 'd2']);
    // Ending counts as ordered too.
    finish.get('d2')!();
    await waitFor(() => started.length === 3);
    expect(started).toEqual(['d1', 'd2', 'd3']);
    finish.get('d1')!();
    finish.get('d3')!();
    await waitFor(async () => (await store.queueStats()).depth === 0);
    await worker.stop();
  });
});

async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
) {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - t0 > timeoutMs) throw new Error('timed out');
    await new Promise(r => setTimeout(r, 20));
  }
}
