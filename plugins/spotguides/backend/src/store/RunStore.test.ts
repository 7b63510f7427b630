import { TestDatabases } from '@backstage/backend-test-utils';
import { RunStore } from './RunStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const run = (name: string) => ({
  cluster: 'dev',
  namespace: 'team-a',
  name,
  pipeline: 'build',
  entityRef: 'component:default/shop',
  repository: 'acme/shop',
  sha: 'a'.repeat(40),
  ref: 'refs/heads/main',
  event: 'push',
  deliveryId: 'd-1',
  statusContext: 'pipeline-portal/build',
});

describe.each(databases.eachSupportedId())('RunStore on %s', id => {
  it('keeps the first record of a run and tracks what was reported', async () => {
    const store = await RunStore.create({ database: await databases.init(id) });
    await store.insert({ ...run('r1'), reportedStatus: 'Pending' });
    await store.insert({ ...run('r1'), pipeline: 'other' });
    await store.insert(run('r2'));
    expect(await store.get(run('r1'))).toMatchObject({
      pipeline: 'build',
      status: 'Pending',
      reportedStatus: 'Pending',
    });
    expect((await store.listUnreported(10)).map(r => r.name)).toEqual(['r2']);

    await store.setStatus(run('r1'), 'Running');
    await store.setStatus(run('r1'), 'Succeeded', '2026-12-06T10:00:00.000Z');
    expect((await store.listUnreported(10)).map(r => r.name).sort()).toEqual([
      'r1',
      'r2',
    ]);
    await store.markReported(run('r1'), 'Succeeded');
    const r1 = await store.get(run('r1'));
    expect(r1).toMatchObject({
      status: 'Succeeded',
      reportedStatus: 'Succeeded',
      completedAt: '2026-12-06T10:00:00.000Z',
    });
    expect(r1!.startedAt).toBeDefined();
    expect((await store.listActive(10)).map(r => r.name)).toEqual(['r2']);
    expect(
      (await store.listByEntity('component:default/shop'))
        .map(r => r.name)
        .sort(),
    ).toEqual(['r1', 'r2']);
    await store.delete(run('r2'));
    expect(await store.get(run('r2'))).toBeUndefined();
  });

  it('lets one writer of all that try take the report of a state change', async () => {
    const store = await RunStore.create({ database: await databases.init(id) });
    await store.insert(run('r1'));
    const pending = await Promise.all(
      Array.from({ length: 6 }, () =>
        store.claimReport(run('r1'), undefined, 'Pending', {
          status: 'Pending',
        }),
      ),
    );
    expect(pending.filter(Boolean)).toHaveLength(1);
    expect(await store.get(run('r1'))).toMatchObject({
      reportedStatus: 'Pending',
    });
    // The write failed: handed back, and taken again by the next writer.
    expect(await store.claimReport(run('r1'), 'Pending', undefined)).toBe(true);
    expect(await store.claimReport(run('r1'), undefined, 'Pending')).toBe(true);

    // The run moved on: a late pending is not taken, its end is, once.
    await store.setStatus(run('r1'), 'Succeeded', '2026-12-06T10:00:00.000Z');
    await store.claimReport(run('r1'), 'Pending', undefined);
    expect(
      await store.claimReport(run('r1'), undefined, 'Pending', {
        status: 'Pending',
      }),
    ).toBe(false);
    const ends = await Promise.all([
      store.claimReport(run('r1'), undefined, 'Succeeded'),
      store.claimReport(run('r1'), undefined, 'Succeeded'),
    ]);
    expect(ends.filter(Boolean)).toHaveLength(1);
    expect(await store.listUnreported(10)).toEqual([]);
  });
});
