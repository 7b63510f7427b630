import { LoggerService } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { KubernetesClustersSupplier } from '@backstage/plugin-kubernetes-node';
import {
  Cluster,
  ClusterAccess,
  PipelineClustersApi,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { ClusterCredentials } from './auth/ClusterCredentials';
import { PipelineClustersSupplier } from './PipelineClustersSupplier';
import { withConfiguredClusters } from './withConfiguredClusters';

const credentials = mockCredentials.user();
const bearer = (token: string) => ({ type: 'bearer token', token });

function cluster(
  name: string,
  phase: Cluster['status']['phase'] = 'Running',
  updatedAt = '2025-01-01T00:00:00Z',
) {
  return {
    name,
    owner: 'group:default/payments',
    distribution: 'eks',
    status: { phase, apiServer: `https://${name}.example.com` },
    revision: 1,
    createdAt: '2025-01-01T00:00:00Z',
    updatedAt,
  } satisfies Cluster;
}

function access(name: string, extra: Partial<ClusterAccess> = {}) {
  return {
    name,
    apiServer: `https://${name}.example.com`,
    caData: `CA-${name}`,
    token: `token-${name}`,
    ...extra,
  } satisfies ClusterAccess;
}

function details(name: string) {
  return {
    name,
    url: `https://${name}.example.com`,
    caData: `CA-${name}`,
    authMetadata: {
      'kubernetes.io/auth-provider': 'serviceAccount',
      'pipeline-portal.io/cluster': name,
    },
    skipTLSVerify: false,
    skipMetricsLookup: true,
  };
}

function setup(options: { refreshIntervalSeconds?: number } = {}) {
  const logger = {
    child: jest.fn(),
    debug: jest.fn(),
    info: jest.fn(),
    warn: jest.fn(),
    error: jest.fn(),
  };
  logger.child.mockReturnValue(logger);
  const client = {
    listClusters: jest.fn(),
    getClusterAccess: jest.fn(async (name: string) => access(name)),
  };
  const clusterCredentials = new ClusterCredentials();
  const supplier = new PipelineClustersSupplier({
    credentials: clusterCredentials,
    logger: logger as unknown as LoggerService,
    auth: mockServices.auth({ pluginId: 'kubernetes' }),
    discovery: mockServices.discovery(),
    client: client as unknown as PipelineClustersApi,
    refreshIntervalSeconds: options.refreshIntervalSeconds ?? 3600,
  });
  return { supplier, logger, client, credentials: clusterCredentials };
}

async function waitFor(condition: () => boolean) {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise(resolve => setTimeout(resolve, 5));
  }
}

describe('PipelineClustersSupplier', () => {
  let supplier: PipelineClustersSupplier | undefined;
  afterEach(() => supplier?.stop());

  it('supplies the Running clusters of every page with their service-account token', async () => {
    const ctx = setup();
    supplier = ctx.supplier;
    ctx.client.listClusters
      .mockResolvedValueOnce({
        items: [cluster('alpha'), cluster('pending', 'Provisioning')],
        totalCount: 3,
        nextCursor: 'page-2',
      })
      .mockResolvedValueOnce({ items: [cluster('beta')], totalCount: 3 });

    ctx.supplier.start();

    const clusters = await ctx.supplier.getClusters({ credentials });
    expect(clusters).toEqual([details('alpha'), details('beta')]);
    // The token is kept beside the details, not in them.
    expect(JSON.stringify(clusters)).not.toContain('token-alpha');
    expect(ctx.credentials.get(clusters[0])).toEqual(bearer('token-alpha'));
    expect(ctx.credentials.get(clusters[1])).toEqual(bearer('token-beta'));
    expect(ctx.credentials.get({ ...clusters[0] })).toBeUndefined();
    const token = expect.stringContaining('mock-service-token');
    expect(ctx.client.listClusters).toHaveBeenNthCalledWith(
      1,
      { phase: 'Running', limit: 100, cursor: undefined },
      { token },
    );
    expect(ctx.client.listClusters).toHaveBeenNthCalledWith(
      2,
      { phase: 'Running', limit: 100, cursor: 'page-2' },
      { token },
    );
    expect(ctx.client.getClusterAccess).toHaveBeenCalledTimes(2);
    expect(ctx.client.getClusterAccess).toHaveBeenCalledWith('alpha', {
      token,
    });
  });

  it('does not call the API before start, so it never blocks backend start-up', async () => {
    const ctx = setup();
    await expect(ctx.supplier.getClusters({ credentials })).resolves.toEqual(
      [],
    );
    expect(ctx.client.listClusters).not.toHaveBeenCalled();
  });

  it('serves the cache and reloads it in the background on an unref-ed timer', async () => {
    const setIntervalSpy = jest.spyOn(global, 'setInterval');
    const ctx = setup({ refreshIntervalSeconds: 0.05 });
    supplier = ctx.supplier;
    ctx.client.listClusters
      .mockResolvedValueOnce({ items: [cluster('alpha')], totalCount: 1 })
      .mockResolvedValue({
        items: [cluster('alpha'), cluster('beta')],
        totalCount: 2,
      });

    ctx.supplier.start();
    await ctx.supplier.getClusters({ credentials });
    await ctx.supplier.getClusters({ credentials });
    const first = await ctx.supplier.getClusters({ credentials });
    expect(first.map(c => c.name)).toEqual(['alpha']);
    expect(ctx.client.listClusters).toHaveBeenCalledTimes(1);

    const timer = setIntervalSpy.mock.results[0].value as NodeJS.Timeout;
    expect(setIntervalSpy).toHaveBeenCalledWith(expect.any(Function), 50);
    expect(timer.hasRef()).toBe(false);
    setIntervalSpy.mockRestore();

    await waitFor(() => ctx.client.listClusters.mock.calls.length >= 2);
    await ctx.supplier.refresh();
    const later = await ctx.supplier.getClusters({ credentials });
    expect(later.map(c => c.name)).toEqual(['alpha', 'beta']);

    ctx.supplier.stop();
    const calls = ctx.client.listClusters.mock.calls.length;
    await new Promise(resolve => setTimeout(resolve, 150));
    expect(ctx.client.listClusters).toHaveBeenCalledTimes(calls);
  });

  it('reads at most five accesses at a time', async () => {
    const ctx = setup();
    const names = Array.from({ length: 12 }, (_, i) => `c${i}`);
    ctx.client.listClusters.mockResolvedValue({
      items: names.map(name => cluster(name)),
      totalCount: names.length,
    });
    let inFlight = 0;
    let peak = 0;
    ctx.client.getClusterAccess.mockImplementation(async (name: string) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise(resolve => setTimeout(resolve, 2));
      inFlight--;
      return access(name);
    });

    await ctx.supplier.refresh();

    expect(peak).toBe(5);
    const clusters = await ctx.supplier.getClusters({ credentials });
    expect(clusters.map(c => c.name)).toEqual(names);
  });

  it('keeps serving the last good list when the API fails, and warns', async () => {
    const ctx = setup();
    ctx.client.listClusters
      .mockResolvedValueOnce({ items: [cluster('alpha')], totalCount: 1 })
      .mockRejectedValueOnce(new Error('connect ECONNREFUSED'));

    await ctx.supplier.refresh();
    await expect(ctx.supplier.refresh()).resolves.toBeUndefined();

    await expect(ctx.supplier.getClusters({ credentials })).resolves.toEqual([
      details('alpha'),
    ]);
    expect(ctx.logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('connect ECONNREFUSED'),
    );
  });

  it("keeps a cluster's previous details when only its access fails", async () => {
    const ctx = setup();
    ctx.client.listClusters.mockResolvedValue({
      items: [cluster('alpha'), cluster('beta')],
      totalCount: 2,
    });
    await ctx.supplier.refresh();

    // A rotated kubeconfig is a write to the cluster: its updatedAt moves.
    const later = '2025-01-02T00:00:00Z';
    ctx.client.listClusters.mockResolvedValue({
      items: [
        cluster('alpha', 'Running', later),
        cluster('beta', 'Running', later),
      ],
      totalCount: 2,
    });
    ctx.client.getClusterAccess.mockImplementation(async (name: string) => {
      if (name === 'alpha') throw new Error('503 Service Unavailable');
      return access(name, { token: 'token-beta-rotated' });
    });
    await ctx.supplier.refresh();

    const clusters = await ctx.supplier.getClusters({ credentials });
    expect(clusters[0]).toEqual(details('alpha'));
    expect(ctx.credentials.get(clusters[0])).toEqual(bearer('token-alpha'));
    expect(ctx.credentials.get(clusters[1])).toEqual(
      bearer('token-beta-rotated'),
    );
  });

  it('supplies a cluster whose kubeconfig has only a client certificate', async () => {
    const ctx = setup();
    ctx.client.listClusters.mockResolvedValue({
      items: [cluster('certonly')],
      totalCount: 1,
    });
    const pem = (what: string) =>
      `-----BEGIN ${what}-----\nMIIB\n-----END ${what}-----\n`;
    ctx.client.getClusterAccess.mockResolvedValue(
      access('certonly', {
        token: undefined,
        clientCertificateData: Buffer.from(pem('CERTIFICATE')).toString(
          'base64',
        ),
        clientKeyData: Buffer.from(pem('PRIVATE KEY')).toString('base64'),
      }),
    );

    await ctx.supplier.refresh();

    const [only] = await ctx.supplier.getClusters({ credentials });
    expect(only).toEqual(details('certonly'));
    expect(ctx.credentials.get(only)).toEqual({
      type: 'x509 client certificate',
      cert: pem('CERTIFICATE'),
      key: pem('PRIVATE KEY'),
    });
    expect(ctx.logger.warn).not.toHaveBeenCalled();
  });

  it('leaves out a cluster with neither a token nor a certificate and key, warning once', async () => {
    const ctx = setup();
    ctx.client.listClusters.mockResolvedValue({
      items: [cluster('alpha'), cluster('keyless')],
      totalCount: 2,
    });
    ctx.client.getClusterAccess.mockImplementation(async (name: string) =>
      name === 'keyless'
        ? access(name, { token: undefined, clientCertificateData: 'CERT' })
        : access(name),
    );

    await ctx.supplier.refresh();
    await ctx.supplier.refresh();

    const clusters = await ctx.supplier.getClusters({ credentials });
    expect(clusters.map(c => c.name)).toEqual(['alpha']);
    expect(ctx.logger.warn).toHaveBeenCalledTimes(1);
    expect(ctx.logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('keyless'),
    );
  });

  it('reads the access of an unchanged cluster only once', async () => {
    const ctx = setup();
    ctx.client.listClusters.mockResolvedValue({
      items: [cluster('alpha')],
      totalCount: 1,
    });
    await ctx.supplier.refresh();
    await ctx.supplier.refresh();
    expect(ctx.client.getClusterAccess).toHaveBeenCalledTimes(1);

    ctx.client.listClusters.mockResolvedValue({
      items: [cluster('alpha', 'Running', '2025-01-03T00:00:00Z')],
      totalCount: 1,
    });
    await ctx.supplier.refresh();
    expect(ctx.client.getClusterAccess).toHaveBeenCalledTimes(2);
  });

  it('never logs a token', async () => {
    const ctx = setup();
    ctx.client.listClusters
      .mockResolvedValueOnce({
        items: [cluster('alpha'), cluster('certonly')],
        totalCount: 2,
      })
      .mockRejectedValueOnce(new Error('boom'))
      .mockResolvedValue({
        items: [cluster('alpha', 'Running', '2025-01-02T00:00:00Z')],
        totalCount: 1,
      });
    ctx.client.getClusterAccess
      .mockResolvedValueOnce(access('alpha'))
      .mockResolvedValueOnce(access('certonly', { token: undefined }))
      .mockRejectedValueOnce(new Error('access failed'));

    await ctx.supplier.refresh();
    await ctx.supplier.refresh();
    await ctx.supplier.refresh();

    expect(ctx.logger.warn).toHaveBeenCalledTimes(3);
    const logged = JSON.stringify([
      ctx.logger.debug.mock.calls,
      ctx.logger.info.mock.calls,
      ctx.logger.warn.mock.calls,
      ctx.logger.error.mock.calls,
    ]);
    expect(logged).not.toContain('token-alpha');
    expect(logged).not.toContain('mock-service-token');
  });

  it('refuses a refresh interval that is not positive', () => {
    expect(
      () =>
        new PipelineClustersSupplier({
          credentials: new ClusterCredentials(),
          logger: mockServices.logger.mock(),
          auth: mockServices.auth(),
          discovery: mockServices.discovery(),
          refreshIntervalSeconds: 0,
        }),
    ).toThrow(/refreshIntervalSeconds/);
  });
});

describe('withConfiguredClusters', () => {
  const portal: KubernetesClustersSupplier = {
    getClusters: async () => [details('alpha') as any],
  };

  it('adds the declared clusters, the portal winning on a name clash', async () => {
    const declared: KubernetesClustersSupplier = {
      getClusters: async () => [
        { ...details('alpha'), url: 'https://other' } as any,
        { ...details('host'), authMetadata: {} } as any,
      ],
    };
    const combined = withConfiguredClusters(
      portal,
      declared,
      mockServices.logger.mock(),
    );

    const clusters = await combined.getClusters({ credentials });
    expect(clusters.map(c => [c.name, c.url])).toEqual([
      ['alpha', 'https://alpha.example.com'],
      ['host', 'https://host.example.com'],
    ]);
  });

  it('still serves the portal clusters when a declared locator fails', async () => {
    const logger = mockServices.logger.mock();
    const combined = withConfiguredClusters(
      portal,
      { getClusters: async () => Promise.reject(new Error('catalog down')) },
      logger,
    );

    const clusters = await combined.getClusters({ credentials });
    expect(clusters.map(c => c.name)).toEqual(['alpha']);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('catalog down'),
    );
  });
});
