import { ResponseError } from '@backstage/errors';
import { SpotguidesClient } from './client';

function recordingFetch(status: number, body: unknown) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetchApi = {
    fetch: (async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return new Response(JSON.stringify(body), {
        status,
        headers: { 'Content-Type': 'application/json' },
      });
    }) as unknown as typeof fetch,
  };
  return { calls, fetchApi };
}

const discoveryApi = {
  getBaseUrl: async (pluginId: string) => `http://portal/api/${pluginId}`,
};

describe('SpotguidesClient', () => {
  it('lists deliveries with the query it was given and the caller token', async () => {
    const { calls, fetchApi } = recordingFetch(200, { items: [] });
    const client = new SpotguidesClient({ discoveryApi, fetchApi });
    await expect(
      client.listDeliveries(
        { repository: 'acme/shop', limit: 20 },
        { token: 'service-token' },
      ),
    ).resolves.toEqual({ items: [] });
    expect(calls[0].url).toBe(
      'http://portal/api/spotguides/deliveries?repository=acme%2Fshop&limit=20',
    );
    expect(calls[0].init.method).toBe('GET');
    expect(calls[0].init.headers).toEqual({
      Authorization: 'Bearer service-token',
    });
  });

  it('leaves absent query fields out', async () => {
    const { calls, fetchApi } = recordingFetch(200, { items: [] });
    await new SpotguidesClient({ discoveryApi, fetchApi }).listDeliveries({});
    expect(calls[0].url).toBe('http://portal/api/spotguides/deliveries');
    expect(calls[0].init.headers).toEqual({});
  });

  it('posts an explain request as JSON', async () => {
    const answer = {
      repository: 'acme/shop',
      sha: 'abc',
      event: 'push',
      pipelines: [],
    };
    const { calls, fetchApi } = recordingFetch(200, answer);
    const client = new SpotguidesClient({ discoveryApi, fetchApi });
    const req = {
      repository: 'acme/shop',
      sha: 'abc',
      event: 'push' as const,
      ref: 'refs/heads/main',
    };
    await expect(client.explain(req)).resolves.toEqual(answer);
    expect(calls[0].url).toBe('http://portal/api/spotguides/explain');
    expect(calls[0].init.method).toBe('POST');
    expect(JSON.parse(String(calls[0].init.body))).toEqual(req);
    expect(calls[0].init.headers).toEqual({
      'Content-Type': 'application/json',
    });
  });

  it('lists the runs of an entity', async () => {
    const { calls, fetchApi } = recordingFetch(200, { items: [] });
    await new SpotguidesClient({ discoveryApi, fetchApi }).listRuns({
      entityRef: 'component:default/shop',
    });
    expect(calls[0].url).toBe(
      'http://portal/api/spotguides/runs?entityRef=component%3Adefault%2Fshop',
    );
  });

  it('throws a ResponseError carrying the status on a non-2xx answer', async () => {
    const { fetchApi } = recordingFetch(400, {
      error: { name: 'InputError', message: 'sha is required' },
      response: { statusCode: 400 },
    });
    const error = await new SpotguidesClient({ discoveryApi, fetchApi })
      .explain({ repository: 'acme/shop', sha: '', event: 'push' })
      .catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.statusCode).toBe(400);
    expect(error.cause.message).toBe('sha is required');
  });
});
