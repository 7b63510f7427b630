import { TestDatabases } from '@backstage/backend-test-utils';
import { DeliveryStore, dedupKey } from './DeliveryStore';
import { RunStore } from './RunStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const delivery = (id: string, sha = 'a'.repeat(40)) => ({
  id,
  event: 'push',
  repository: 'acme/shop',
  ref: 'refs/heads/main',
  sha,
  dedupKey: dedupKey({
    repository: 'acme/shop',
    event: 'push',
    ref: 'refs/heads/main',
    sha,
  }),
  payload: { after: sha },
});

describe.each(databases.eachSupportedId())('DeliveryStore on %s', id => {
  const setup = async () => {
    const knex = await databases.init(id);
    return { knex, store: await DeliveryStore.create({ database: knex }) };
  };

  it('stores a delivery once per delivery id, even when sent concurrently', async () => {
    const { store } = await setup();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => store.insert(delivery('d-1'))),
    );
    expect(results.filter(r => r === 'queued')).toHaveLength(1);
    expect(results.filter(r => r === 'known')).toHaveLength(19);
    expect(await store.queuedCount()).toBe(1);
  });

  it('records another delivery of the same change as a duplicate', async () => {
    const { store } = await setup();
    expect(await store.insert(delivery('d-1'))).toBe('queued');
    expect(await store.insert(delivery('d-2'))).toBe('duplicate');
    expect(await store.insert(delivery('d-3', 'b'.repeat(40)))).toBe('queued');
    const dup = await store.get('d-2');
    expect(dup).toMatchObject({ decision: 'duplicate' });
    expect(dup!.reason).toContain('d-1');
    expect(await store.queuedCount()).toBe(2);
  });

  it('records the runs a delivery made with its decision, and the runs even when its lease was lost', async () => {
    const { knex, store } = await setup();
    const runs = await RunStore.create({ database: knex });
    const record = (name: string, deliveryId: string) => ({
      cluster: 'dev',
      namespace: 'team-a',
      name,
      pipeline: 'build',
      entityRef: 'component:default/shop',
      repository: 'acme/shop',
      sha: 'a'.repeat(40),
      event: 'push',
      deliveryId,
      statusContext: 'pipeline-portal/build',
    });
    await store.insert(delivery('d-1'));
    await store.insert(delivery('d-2', 'b'.repeat(40)));
    await store.claim('replica-a', { limit: 10, leaseMs: 30_000 });
    let told = 0;
    const outcome = {
      decision: 'ran' as const,
      reason: 'started build',
      records: [record('r1', 'd-1'), record('r2', 'd-1')],
      onRecorded: () => told++,
    };
    expect(await store.complete('d-1', 'replica-a', outcome)).toBe(true);
    expect(await store.get('d-1')).toMatchObject({ decision: 'ran' });
    expect((await runs.listByEntity('component:default/shop')).length).toBe(2);
    // The store never calls back: the worker does, once recorded.
    expect(told).toBe(0);

    // Retried elsewhere after a lost lease: the run exists on its cluster,
    // so it is recorded; the decision is not, and no earlier run changes.
    expect(
      await store.complete('d-2', 'replica-b', {
        decision: 'ran',
        reason: 'started build',
        records: [record('r1', 'other'), record('r3', 'd-2')],
      }),
    ).toBe(false);
    expect(await store.get('d-2')).toMatchObject({ decision: 'pending' });
    expect(await runs.get(record('r1', 'd-1'))).toMatchObject({
      deliveryId: 'd-1',
    });
    expect(await runs.get(record('r3', 'd-2'))).toMatchObject({
      deliveryId: 'd-2',
    });
  });

  it('lets only one of two claimants lease a delivery', async () => {
    const { store } = await setup();
    await store.insert(delivery('d-1'));
    const [a, b] = await Promise.all([
      store.claim('replica-a', { limit: 10, leaseMs: 30_000 }),
      store.claim('replica-b', { limit: 10, leaseMs: 30_000 }),
    ]);
    expect(a.length + b.length).toBe(1);
    expect([...a, ...b][0]).toMatchObject({
      id: 'd-1',
      attempts: 1,
      payload: { after: 'a'.repeat(40) },
    });
  });

  it('hands an expired lease to another replica and refuses the old owner', async () => {
    const { store } = await setup();
    await store.insert(delivery('d-1'));
    const now = Date.now();
    await store.claim('replica-a', { limit: 1, leaseMs: 1000, now });
    expect(
      await store.claim('replica-b', {
        limit: 1,
        leaseMs: 1000,
        now: now + 500,
      }),
    ).toHaveLength(0);
    const taken = await store.claim('replica-b', {
      limit: 1,
      leaseMs: 1000,
      now: now + 1001,
    });
    expect(taken).toHaveLength(1);
    expect(taken[0].attempts).toBe(2);
    expect(
      await store.complete('d-1', 'replica-a', {
        decision: 'ran',
        reason: 'x',
      }),
    ).toBe(false);
    expect(
      await store.complete('d-1', 'replica-b', {
        decision: 'ran',
        reason: 'created build',
        runs: [
          {
            name: 'r',
            namespace: 'team',
            cluster: 'dev',
            pipeline: 'build',
            link: '/spotguides/runs/dev/team/r',
          },
        ],
      }),
    ).toBe(true);
    expect(await store.get('d-1')).toMatchObject({
      decision: 'ran',
      reason: 'created build',
      runs: [{ name: 'r', pipeline: 'build' }],
    });
    expect(await store.queuedCount()).toBe(0);
  });

  it('puts a delivery back until its next attempt is due', async () => {
    const { store } = await setup();
    await store.insert(delivery('d-1'));
    const now = Date.now();
    await store.claim('w', { limit: 1, leaseMs: 30_000, now });
    await store.retryLater('d-1', 'w', {
      at: now + 5000,
      reason: 'GitHub secondary rate limit',
    });
    expect(
      await store.claim('w', { limit: 1, leaseMs: 1, now: now + 4999 }),
    ).toEqual([]);
    expect(await store.get('d-1')).toMatchObject({
      decision: 'pending',
      reason: 'GitHub secondary rate limit',
    });
    const again = await store.claim('w', {
      limit: 1,
      leaseMs: 1,
      now: now + 5000,
    });
    expect(again.map(d => d.id)).toEqual(['d-1']);
  });

  it('lists newest first, filtered by repository', async () => {
    const { store } = await setup();
    const t = Date.now();
    await store.insert(delivery('d-1'), t);
    await store.insert(
      {
        ...delivery('d-2', 'c'.repeat(40)),
        repository: 'acme/other',
        dedupKey: undefined,
      },
      t + 1,
    );
    await store.insert(delivery('d-3', 'b'.repeat(40)), t + 2);
    expect((await store.list({ limit: 10 })).map(d => d.id)).toEqual([
      'd-3',
      'd-2',
      'd-1',
    ]);
    expect(
      (await store.list({ repository: 'acme/shop', limit: 1 })).map(d => d.id),
    ).toEqual(['d-3']);
  });

  it('renews a held lease so another replica cannot take it, and says when it was lost', async () => {
    const { store } = await setup();
    await store.insert(delivery('d-1'));
    const t0 = Date.now();
    const [claimed] = await store.claim('replica-a', {
      limit: 1,
      leaseMs: 1_000,
      now: t0,
    });
    expect(claimed.id).toBe('d-1');
    // Renewed before it ran out: at t0 + 1.5 s the lease still holds.
    expect(await store.renew('d-1', 'replica-a', 1_000, t0 + 900)).toBe(true);
    expect(
      await store.claim('replica-b', {
        limit: 1,
        leaseMs: 1_000,
        now: t0 + 1_500,
      }),
    ).toEqual([]);
    // Not renewed in time: another replica takes it, the first one learns.
    expect(
      await store.claim('replica-b', {
        limit: 1,
        leaseMs: 1_000,
        now: t0 + 2_000,
      }),
    ).toHaveLength(1);
    expect(await store.renew('d-1', 'replica-a', 1_000, t0 + 2_100)).toBe(
      false,
    );
  });

  it('prunes processed deliveries older than the cut-off and keeps queued ones', async () => {
    const { store } = await setup();
    const old = new Date(Date.now() - 20 * 24 * 3600_000).getTime();
    await store.insert(delivery('old-done'), old);
    await store.insert(delivery('old-queued', 'b'.repeat(40)), old);
    await store.insert(delivery('new-done', 'c'.repeat(40)));
    expect(await store.claim('w', { limit: 3, leaseMs: 60_000 })).toHaveLength(
      3,
    );
    for (const done of ['old-done', 'new-done']) {
      await store.complete(done, 'w', { decision: 'no-match', reason: 'x' });
    }
    const pruned = await store.prune(new Date(Date.now() - 14 * 24 * 3600_000));
    expect(pruned).toBe(1);
    expect(await store.get('old-done')).toBeUndefined();
    expect(await store.get('new-done')).toBeDefined();
    expect(await store.get('old-queued')).toBeDefined();
  });

  it('lists the deliveries of several repositories whatever their case', async () => {
    const { store } = await setup();
    await store.insert({ ...delivery('a-1'), repository: 'Acme/Shop' });
    await store.insert({
      ...delivery('b-1', 'b'.repeat(40)),
      repository: 'acme/other',
      dedupKey: undefined,
    });
    await store.insert({
      ...delivery('c-1', 'c'.repeat(40)),
      repository: 'acme/hidden',
      dedupKey: undefined,
    });
    const ids = async (repositories: string[]) =>
      (await store.list({ repositories, limit: 50 })).map(d => d.id).sort();
    expect(await ids(['acme/shop', 'acme/other'])).toEqual(['a-1', 'b-1']);
    expect(await ids([])).toEqual([]);
  });

  it('stores a delivery whatever the length of its ref', async () => {
    const { store } = await setup();
    const ref = `refs/heads/${'a/'.repeat(300)}x`;
    expect(
      await store.insert({ ...delivery('long-ref'), ref, dedupKey: undefined }),
    ).toBe('queued');
    expect((await store.get('long-ref'))!.ref).toBe(ref);
  });
});
