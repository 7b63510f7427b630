import {
  KubernetesObject,
  V1ConfigMap,
  Watch,
  makeInformer,
} from '@kubernetes/client-node';
import {
  Clients,
  eventually,
  raw,
  startWithClients,
} from './__testUtils__/clients';

type Seen = { type: string; name?: string; rv?: string; code?: number };

describe('kube double: watch', () => {
  let c: Clients;
  const aborts: AbortController[] = [];
  beforeAll(async () => {
    c = await startWithClients({ namespaces: ['w'], historySize: 50 });
  });
  afterEach(() => aborts.splice(0).forEach(a => a.abort()));
  afterAll(() => c.api.close());

  async function watch(
    path: string,
    query: Record<string, string>,
    seen: Seen[],
    done?: (err: unknown) => void,
  ) {
    const w = new Watch(c.kc);
    const ctl = await w.watch(
      path,
      query,
      (type, obj) =>
        seen.push({
          type,
          name: obj?.metadata?.name,
          rv: obj?.metadata?.resourceVersion,
          code: obj?.code,
        }),
      err => done?.(err),
    );
    aborts.push(ctl);
    return ctl;
  }

  const cm = (name: string, labels: Record<string, string> = {}) =>
    c.api.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace: 'w', labels },
    });

  it('streams ADDED / MODIFIED / DELETED events from a resourceVersion', async () => {
    const list = await c.core.listNamespacedConfigMap({ namespace: 'w' });
    const seen: Seen[] = [];
    await watch(
      '/api/v1/namespaces/w/configmaps',
      { resourceVersion: list.metadata!.resourceVersion! },
      seen,
    );
    await c.core.createNamespacedConfigMap({
      namespace: 'w',
      body: { metadata: { name: 'one' }, data: { a: '1' } },
    });
    await c.core.patchNamespacedConfigMap({
      name: 'one',
      namespace: 'w',
      body: [{ op: 'add', path: '/data/b', value: '2' }],
    });
    await c.core.deleteNamespacedConfigMap({ name: 'one', namespace: 'w' });
    await eventually(() => seen.length >= 3);
    expect(seen.map(s => `${s.type}:${s.name}`)).toEqual([
      'ADDED:one',
      'MODIFIED:one',
      'DELETED:one',
    ]);
    const rvs = seen.map(s => Number(s.rv));
    expect(rvs[0]).toBeLessThan(rvs[1]);
    expect(rvs[1]).toBeLessThan(rvs[2]);
  });

  it('replays history after a resourceVersion and sends synthetic ADDED without one', async () => {
    const start = c.api.resourceVersion;
    cm('r1');
    cm('r2');
    const replay: Seen[] = [];
    await watch(
      '/api/v1/namespaces/w/configmaps',
      { resourceVersion: start },
      replay,
    );
    await eventually(() => replay.length >= 2);
    expect(replay.map(s => s.name)).toEqual(['r1', 'r2']);

    const initial: Seen[] = [];
    await watch('/api/v1/namespaces/w/configmaps', {}, initial);
    await eventually(() => initial.length >= 2);
    expect(initial.every(s => s.type === 'ADDED')).toBe(true);
  });

  it('honours label and field selectors, turning selector exits into DELETED', async () => {
    const seen: Seen[] = [];
    await watch(
      '/api/v1/namespaces/w/configmaps',
      { resourceVersion: c.api.resourceVersion, labelSelector: 'app=web' },
      seen,
    );
    const byName: Seen[] = [];
    await watch(
      '/api/v1/configmaps',
      {
        resourceVersion: c.api.resourceVersion,
        fieldSelector: 'metadata.name=sel-b',
      },
      byName,
    );
    cm('sel-a', { app: 'web' });
    cm('sel-b', { app: 'db' });
    c.api.patch(
      { apiVersion: 'v1', kind: 'ConfigMap', name: 'sel-b', namespace: 'w' },
      { metadata: { labels: { app: 'web' } } },
    );
    c.api.patch(
      { apiVersion: 'v1', kind: 'ConfigMap', name: 'sel-a', namespace: 'w' },
      { metadata: { labels: { app: 'other' } } },
    );
    await eventually(() => seen.length >= 3 && byName.length >= 2);
    expect(seen.map(s => `${s.type}:${s.name}`)).toEqual([
      'ADDED:sel-a',
      'ADDED:sel-b',
      'DELETED:sel-a',
    ]);
    expect(byName.map(s => `${s.type}:${s.name}`)).toEqual([
      'ADDED:sel-b',
      'MODIFIED:sel-b',
    ]);
  });

  it('sends an ERROR 410 Expired event for a resourceVersion older than the history window', async () => {
    const old = c.api.resourceVersion;
    for (let i = 0; i < 60; i++) cm(`bulk-${i}`);
    const seen: Seen[] = [];
    let ended = false;
    await watch(
      '/api/v1/namespaces/w/configmaps',
      { resourceVersion: old },
      seen,
      () => (ended = true),
    );
    await eventually(() => ended);
    expect(seen).toEqual([
      { type: 'ERROR', name: undefined, rv: undefined, code: 410 },
    ]);
    const res = await raw(
      c.api,
      'GET',
      `/api/v1/namespaces/w/configmaps?watch=1&resourceVersion=${old}`,
    );
    expect(JSON.parse(res.text.trim())).toEqual({
      type: 'ERROR',
      object: expect.objectContaining({
        kind: 'Status',
        status: 'Failure',
        reason: 'Expired',
        code: 410,
        message: expect.stringMatching(/^too old resource version: /),
      }),
    });
  });

  it('feeds an informer: add, update, delete, and a relist after 410 Gone', async () => {
    await c.core.deleteCollectionNamespacedConfigMap({ namespace: 'w' });
    const informer = makeInformer<V1ConfigMap & KubernetesObject>(
      c.kc,
      '/api/v1/namespaces/w/configmaps',
      () => c.core.listNamespacedConfigMap({ namespace: 'w' }),
    );
    const events: string[] = [];
    informer.on('add', o => events.push(`add:${o.metadata?.name}`));
    informer.on('update', o =>
      events.push(`update:${o.metadata?.name}:${o.data?.v}`),
    );
    informer.on('delete', o => events.push(`delete:${o.metadata?.name}`));
    const errors: unknown[] = [];
    informer.on('error', e => errors.push(e));
    await informer.start();
    try {
      await c.core.createNamespacedConfigMap({
        namespace: 'w',
        body: { metadata: { name: 'inf' }, data: { v: '1' } },
      });
      await eventually(() => events.includes('add:inf'));
      await c.core.replaceNamespacedConfigMap({
        name: 'inf',
        namespace: 'w',
        body: { metadata: { name: 'inf' }, data: { v: '2' } },
      });
      await eventually(() => events.includes('update:inf:2'));
      await c.core.deleteNamespacedConfigMap({ name: 'inf', namespace: 'w' });
      await eventually(() => events.includes('delete:inf'));

      const isList = (r: { method: string; path: string; watch: boolean }) =>
        r.method === 'GET' &&
        r.path === '/api/v1/namespaces/w/configmaps' &&
        !r.watch;
      const listsBefore = c.api.requests.count(isList);
      // An object created while history is expired reaches the informer through the relist.
      c.api.expireWatchHistory();
      await eventually(() => c.api.requests.count(isList) > listsBefore);
      await c.core.createNamespacedConfigMap({
        namespace: 'w',
        body: { metadata: { name: 'after' }, data: { v: '1' } },
      });
      await eventually(() => events.includes('add:after'));
      const watches = c.api.requests.list(
        r => r.watch && r.path === '/api/v1/namespaces/w/configmaps',
      );
      expect(watches.length).toBeGreaterThanOrEqual(2);
      expect(informer.list().map(o => o.metadata?.name)).toEqual(['after']);
      expect(errors).toEqual([]);
    } finally {
      await informer.stop();
    }
  });

  it('ends open watches on close()', async () => {
    const api = await startWithClients();
    const seen: Seen[] = [];
    let ended = false;
    const w = new Watch(api.kc);
    await w.watch(
      '/api/v1/namespaces',
      {},
      (type, obj) => seen.push({ type, name: obj.metadata?.name }),
      () => (ended = true),
    );
    await eventually(() => seen.length >= 4);
    expect(seen.every(s => s.type === 'ADDED')).toBe(true);
    await api.api.close();
    await expect(eventually(() => ended)).resolves.toBe(true);
  });
});
