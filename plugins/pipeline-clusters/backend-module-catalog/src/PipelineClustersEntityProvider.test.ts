import {
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskInvocationDefinition,
} from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { NotFoundError, ResponseError } from '@backstage/errors';
import { EntityProviderConnection } from '@backstage/plugin-catalog-node';
import {
  Cluster,
  ClusterAccess,
  PipelineClustersApi,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import {
  PROVIDER_NAME,
  PipelineClustersEntityProvider,
} from './PipelineClustersEntityProvider';

const BASE_URL = 'https://portal.example.com/api/pipeline-clusters';

function cluster(overrides: Partial<Cluster> & { name: string }): Cluster {
  return {
    owner: 'group:default/payments',
    distribution: 'eks',
    spec: {
      name: overrides.name,
      owner: 'group:default/payments',
      distribution: 'eks',
      region: 'eu-west-1',
      kubernetesVersion: '1.32',
      nodePools: [],
      credential: 'aws-main',
    },
    status: { phase: 'Running' },
    revision: 1,
    createdAt: '2025-01-01T00:00:00Z',
    updatedAt: '2025-01-01T00:00:00Z',
    ...overrides,
  };
}

function createLogger() {
  const logger = {
    child: jest.fn(),
    debug: jest.fn(),
    info: jest.fn(),
    warn: jest.fn(),
    error: jest.fn(),
  };
  logger.child.mockReturnValue(logger);
  return logger;
}

function setup(options: { config?: object } = {}) {
  const logger = createLogger();
  const runner = { run: jest.fn() };
  const scheduler = {
    createScheduledTaskRunner: jest.fn().mockReturnValue(runner),
  };
  const client = {
    listClusters: jest.fn(),
    getClusterAccess: jest.fn(),
  };
  const discovery = {
    getBaseUrl: jest.fn(async (id: string) => `http://internal/api/${id}`),
    getExternalBaseUrl: jest.fn(
      async (id: string) => `https://portal.example.com/api/${id}`,
    ),
  };
  const provider = PipelineClustersEntityProvider.fromConfig(
    mockServices.rootConfig({ data: options.config ?? {} }),
    {
      logger: logger as unknown as LoggerService,
      scheduler: scheduler as unknown as SchedulerService,
      discovery,
      auth: mockServices.auth({ pluginId: 'catalog' }),
      client: client as unknown as PipelineClustersApi,
    },
  );
  const connection: jest.Mocked<EntityProviderConnection> = {
    applyMutation: jest.fn(),
    refresh: jest.fn(),
  };
  return { provider, logger, runner, scheduler, client, connection };
}

/** Connects and runs the scheduled function once, as the scheduler would. */
async function connectAndRun(ctx: ReturnType<typeof setup>) {
  await ctx.provider.connect(ctx.connection);
  const task: SchedulerServiceTaskInvocationDefinition =
    ctx.runner.run.mock.calls[0][0];
  await task.fn(new AbortController().signal);
}

describe('PipelineClustersEntityProvider', () => {
  it('schedules one task named after the provider, every 30 s by default', async () => {
    const ctx = setup();
    await ctx.provider.connect(ctx.connection);

    expect(ctx.provider.getProviderName()).toBe('pipeline-clusters-provider');
    expect(ctx.scheduler.createScheduledTaskRunner).toHaveBeenCalledWith({
      frequency: { seconds: 30 },
      timeout: { minutes: 3 },
    });
    expect(ctx.runner.run).toHaveBeenCalledWith({
      id: 'pipeline-clusters-provider',
      fn: expect.any(Function),
    });
    expect(ctx.logger.child).toHaveBeenCalledWith({ target: PROVIDER_NAME });
  });

  it('reads the schedule, lifecycle and system from config', async () => {
    const ctx = setup({
      config: {
        catalog: {
          providers: {
            pipelineClusters: {
              schedule: { frequency: { minutes: 5 }, timeout: { minutes: 1 } },
              lifecycle: 'experimental',
              system: 'platform',
            },
          },
        },
      },
    });
    ctx.client.listClusters.mockResolvedValue({
      items: [cluster({ name: 'alpha' })],
      totalCount: 1,
    });
    await connectAndRun(ctx);

    expect(ctx.scheduler.createScheduledTaskRunner).toHaveBeenCalledWith({
      frequency: { minutes: 5 },
      timeout: { minutes: 1 },
    });
    const [{ entities }] = ctx.connection.applyMutation.mock.calls[0] as any;
    expect(entities[0].entity.spec).toEqual({
      type: 'kubernetes-cluster',
      owner: 'group:default/payments',
      lifecycle: 'experimental',
      system: 'platform',
    });
  });

  it('emits a full mutation of every cluster across pages, without Deleted ones', async () => {
    const ctx = setup();
    ctx.client.listClusters
      .mockResolvedValueOnce({
        items: [
          cluster({
            name: 'alpha',
            status: {
              phase: 'Running',
              kubernetesVersion: '1.32.4',
              apiServer: 'https://alpha.example.com',
            },
          }),
          cluster({ name: 'gone', status: { phase: 'Deleted' } }),
        ],
        totalCount: 3,
        nextCursor: 'page-2',
      })
      .mockResolvedValueOnce({
        items: [
          cluster({
            name: 'beta',
            owner: 'group:default/search',
            distribution: 'import',
            spec: undefined,
            status: { phase: 'Provisioning' },
          }),
        ],
        totalCount: 3,
      });
    ctx.client.getClusterAccess.mockResolvedValue({
      name: 'alpha',
      apiServer: 'https://alpha.example.com',
      caData: 'Q0EtREFUQQ==',
      token: 'secret-token',
    } satisfies ClusterAccess);

    await connectAndRun(ctx);

    const token = expect.stringContaining('mock-service-token');
    expect(ctx.client.listClusters).toHaveBeenNthCalledWith(
      1,
      { limit: 100, cursor: undefined },
      { token },
    );
    expect(ctx.client.listClusters).toHaveBeenNthCalledWith(
      2,
      { limit: 100, cursor: 'page-2' },
      { token },
    );
    // Only the cluster with a known API server needs its CA.
    expect(ctx.client.getClusterAccess).toHaveBeenCalledTimes(1);
    expect(ctx.client.getClusterAccess).toHaveBeenCalledWith('alpha', {
      token,
    });

    expect(ctx.connection.applyMutation).toHaveBeenCalledTimes(1);
    expect(ctx.connection.applyMutation).toHaveBeenCalledWith({
      type: 'full',
      entities: [
        {
          locationKey: 'pipeline-clusters-provider',
          entity: {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Resource',
            metadata: {
              name: 'alpha',
              title: 'alpha (Amazon EKS, eu-west-1)',
              description:
                'Amazon EKS Kubernetes cluster in eu-west-1 running Kubernetes 1.32.4',
              annotations: {
                'backstage.io/managed-by-location': `pipeline-clusters:${BASE_URL}/clusters/alpha`,
                'backstage.io/managed-by-origin-location': `pipeline-clusters:${BASE_URL}/clusters/alpha`,
                'pipeline-portal.io/cluster': 'alpha',
                'pipeline-portal.io/distribution': 'eks',
                'pipeline-portal.io/phase': 'Running',
                'kubernetes.io/api-server': 'https://alpha.example.com',
                'kubernetes.io/api-server-certificate-authority':
                  'Q0EtREFUQQ==',
                'kubernetes.io/auth-provider': 'serviceAccount',
              },
              labels: { 'pipeline-portal.io/distribution': 'eks' },
            },
            spec: {
              type: 'kubernetes-cluster',
              owner: 'group:default/payments',
              lifecycle: 'production',
            },
          },
        },
        {
          locationKey: 'pipeline-clusters-provider',
          entity: {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Resource',
            metadata: {
              name: 'beta',
              title: 'beta (Imported)',
              description: 'Imported Kubernetes cluster',
              annotations: {
                'backstage.io/managed-by-location': `pipeline-clusters:${BASE_URL}/clusters/beta`,
                'backstage.io/managed-by-origin-location': `pipeline-clusters:${BASE_URL}/clusters/beta`,
                'pipeline-portal.io/cluster': 'beta',
                'pipeline-portal.io/distribution': 'import',
                'pipeline-portal.io/phase': 'Provisioning',
              },
              labels: { 'pipeline-portal.io/distribution': 'import' },
            },
            spec: {
              type: 'kubernetes-cluster',
              owner: 'group:default/search',
              lifecycle: 'production',
            },
          },
        },
      ],
    });
  });

  it('never puts the cluster token in the catalog', async () => {
    const ctx = setup();
    ctx.client.listClusters.mockResolvedValue({
      items: [
        cluster({
          name: 'alpha',
          status: { phase: 'Running', apiServer: 'https://alpha.example.com' },
        }),
      ],
      totalCount: 1,
    });
    ctx.client.getClusterAccess.mockResolvedValue({
      name: 'alpha',
      apiServer: 'https://alpha.example.com',
      caData: 'Q0E=',
      token: 'secret-token',
      clientKeyData: 'secret-key',
    });
    await connectAndRun(ctx);

    const emitted = JSON.stringify(ctx.connection.applyMutation.mock.calls);
    expect(emitted).toContain('Q0E=');
    expect(emitted).not.toContain('secret-token');
    expect(emitted).not.toContain('secret-key');
  });

  it.each([
    ['a NotFoundError', async () => new NotFoundError('none')],
    [
      'a 409 response',
      async () =>
        ResponseError.fromResponse(
          new Response(
            JSON.stringify({
              error: { name: 'ConflictError', message: 'no kubeconfig yet' },
            }),
            { status: 409, headers: { 'Content-Type': 'application/json' } },
          ),
        ),
    ],
  ])(
    'publishes a cluster without a CA when its access is %s',
    async (_, makeError) => {
      const ctx = setup();
      ctx.client.listClusters.mockResolvedValue({
        items: [
          cluster({
            name: 'alpha',
            status: {
              phase: 'Updating',
              apiServer: 'https://alpha.example.com',
            },
          }),
        ],
        totalCount: 1,
      });
      ctx.client.getClusterAccess.mockRejectedValue(await makeError());
      await connectAndRun(ctx);

      const [{ entities }] = ctx.connection.applyMutation.mock.calls[0] as any;
      expect(entities[0].entity.metadata.annotations).toMatchObject({
        'kubernetes.io/api-server': 'https://alpha.example.com',
        'kubernetes.io/auth-provider': 'serviceAccount',
      });
      expect(entities[0].entity.metadata.annotations).not.toHaveProperty(
        'kubernetes.io/api-server-certificate-authority',
      );
    },
  );

  it('logs and keeps the catalog as it is when the API fails', async () => {
    const ctx = setup();
    ctx.client.listClusters
      .mockResolvedValueOnce({
        items: [cluster({ name: 'alpha' })],
        totalCount: 2,
        nextCursor: 'page-2',
      })
      .mockRejectedValueOnce(new Error('connect ECONNREFUSED'));

    await expect(connectAndRun(ctx)).resolves.toBeUndefined();

    // A partial full mutation would delete the unread clusters' entities.
    expect(ctx.connection.applyMutation).not.toHaveBeenCalled();
    expect(ctx.logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('connect ECONNREFUSED'),
    );
  });

  it('does not publish a partial list when reading a CA fails', async () => {
    const ctx = setup();
    ctx.client.listClusters.mockResolvedValue({
      items: [
        cluster({
          name: 'alpha',
          status: { phase: 'Running', apiServer: 'https://alpha.example.com' },
        }),
      ],
      totalCount: 1,
    });
    ctx.client.getClusterAccess.mockRejectedValue(new Error('503'));

    await connectAndRun(ctx);

    expect(ctx.connection.applyMutation).not.toHaveBeenCalled();
    expect(ctx.logger.warn).toHaveBeenCalledTimes(1);
  });

  it('logs when the catalog refuses the mutation, without throwing', async () => {
    const ctx = setup();
    ctx.client.listClusters.mockResolvedValue({ items: [], totalCount: 0 });
    ctx.connection.applyMutation.mockRejectedValue(new Error('db locked'));

    await expect(connectAndRun(ctx)).resolves.toBeUndefined();
    expect(ctx.logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('db locked'),
    );
  });

  it('reads at most five CAs at a time', async () => {
    const ctx = setup();
    const names = Array.from({ length: 12 }, (_, i) => `c${i}`);
    ctx.client.listClusters.mockResolvedValue({
      items: names.map(name =>
        cluster({
          name,
          status: {
            phase: 'Running',
            apiServer: `https://${name}.example.com`,
          },
        }),
      ),
      totalCount: names.length,
    });
    let inFlight = 0;
    let peak = 0;
    ctx.client.getClusterAccess.mockImplementation(async (name: string) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise(resolve => setTimeout(resolve, 2));
      inFlight--;
      return { name, apiServer: `https://${name}.example.com`, caData: name };
    });

    await connectAndRun(ctx);

    expect(peak).toBe(5);
    const [{ entities }] = ctx.connection.applyMutation.mock.calls[0] as any;
    expect(entities.map((e: any) => e.entity.metadata.name)).toEqual(names);
  });
});
