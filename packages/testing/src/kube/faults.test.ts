import {
  Clients,
  failure,
  raw,
  startWithClients,
} from './__testUtils__/clients';

describe('kube double: fault injection and request log', () => {
  let c: Clients;
  beforeAll(async () => {
    c = await startWithClients();
  });
  afterEach(() => c.api.faults.clear());
  afterAll(() => c.api.close());

  it('injects 500 InternalError for matching requests, only N times', async () => {
    const fault = c.api.faults.add({
      path: /\/configmaps/,
      method: 'GET',
      status: 500,
      times: 2,
    });
    const first = await failure(
      c.core.listNamespacedConfigMap({ namespace: 'default' }),
    );
    expect(first.code).toBe(500);
    expect(first.status).toMatchObject({
      kind: 'Status',
      reason: 'InternalError',
      code: 500,
    });
    await failure(c.core.listNamespacedConfigMap({ namespace: 'default' }));
    await expect(
      c.core.listNamespacedConfigMap({ namespace: 'default' }),
    ).resolves.toBeDefined();
    expect(fault.hits).toBe(2);
    // Other paths are unaffected.
    await expect(c.core.listNamespace()).resolves.toBeDefined();
  });

  it('answers 429 with Retry-After and a TooManyRequests Status, and 503', async () => {
    c.api.faults.add({
      path: '/api/v1/namespaces',
      status: 429,
      retryAfterSeconds: 7,
      times: 1,
    });
    const res = await raw(c.api, 'GET', '/api/v1/namespaces');
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('7');
    expect(res.json).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'TooManyRequests',
      details: { retryAfterSeconds: 7 },
      code: 429,
    });
    c.api.faults.add({ status: 503, times: 1 });
    expect((await failure(c.core.listNamespace())).code).toBe(503);
  });

  it('applies an error rate using the random source', async () => {
    const rolls = [0.1, 0.9, 0.2, 0.8];
    const api = await startWithClients({ random: () => rolls.shift() ?? 1 });
    try {
      api.api.faults.add({
        path: '/api/v1/namespaces',
        status: 500,
        rate: 0.5,
      });
      const codes: number[] = [];
      for (let i = 0; i < 4; i++)
        codes.push((await raw(api.api, 'GET', '/api/v1/namespaces')).status);
      expect(codes).toEqual([500, 200, 500, 200]);
    } finally {
      await api.api.close();
    }
  });

  it('adds latency', async () => {
    c.api.faults.add({ path: '/version', latencyMs: 150 });
    const start = Date.now();
    await raw(c.api, 'GET', '/version');
    expect(Date.now() - start).toBeGreaterThanOrEqual(140);
    const rec = c.api.requests.list(r => r.path === '/version').pop();
    expect(rec?.durationMs).toBeGreaterThanOrEqual(140);
  });

  it('drops connections', async () => {
    const handle = c.api.faults.add({ method: 'POST', drop: true });
    await expect(
      c.core.createNamespacedConfigMap({
        namespace: 'default',
        body: { metadata: { name: 'x' } },
      }),
    ).rejects.toThrow(/socket hang up|ECONNRESET/);
    handle.remove();
    await expect(
      c.core.createNamespacedConfigMap({
        namespace: 'default',
        body: { metadata: { name: 'x' } },
      }),
    ).resolves.toBeDefined();
    expect(
      c.api.requests.list(r => r.method === 'POST').map(r => r.status),
    ).toEqual([0, 201]);
  });

  it('logs every request with method, path, query, status, duration and time; clearable', async () => {
    c.api.requests.clear();
    const before = Date.now();
    await c.core.listNamespacedConfigMap({
      namespace: 'default',
      labelSelector: 'a=b',
    });
    await failure(
      c.core.readNamespacedConfigMap({ name: 'missing', namespace: 'default' }),
    );
    const log = c.api.requests.list();
    expect(log).toHaveLength(2);
    expect(log[0]).toMatchObject({
      method: 'GET',
      path: '/api/v1/namespaces/default/configmaps',
      query: { labelSelector: 'a=b' },
      status: 200,
      watch: false,
    });
    expect(log[1]).toMatchObject({
      path: '/api/v1/namespaces/default/configmaps/missing',
      status: 404,
    });
    expect(log[0].timestamp).toBeGreaterThanOrEqual(before);
    expect(log[0].durationMs).toBeGreaterThanOrEqual(0);
    for (let i = 0; i < 20; i++) await raw(c.api, 'GET', '/version');
    expect(c.api.requests.count(r => r.path === '/version')).toBe(20);
    const versions = c.api.requests.list(r => r.path === '/version');
    const span = (versions[19].timestamp - versions[0].timestamp) / 1000;
    expect(c.api.requests.perSecond(r => r.path === '/version')).toBeCloseTo(
      span > 0 ? 20 / span : 20,
    );
    c.api.requests.clear();
    expect(c.api.requests.count()).toBe(0);
  });
});
