import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { EntityProviderConnection } from '@backstage/plugin-catalog-node';
import type {
  InstanceList,
  ServiceInstanceView,
} from '@pipeline-portal/plugin-integrated-services-common';
import {
  INSTANCES_PROVIDER_NAME,
  instanceEntityName,
  ServiceInstanceEntityProvider,
} from './ServiceInstanceEntityProvider';

function view(cluster: string, service: string): ServiceInstanceView {
  return {
    cluster,
    service,
    managedBy: 'portal',
    desired: { version: '', enabled: true, spec: {}, overrides: {} },
    status: {
      phase: 'Ready',
      installedVersion: '1.2.0',
      upToDate: true,
      conditions: [],
      availableTargets: [],
      unreachable: [],
      drift: [],
    },
  };
}

function setup() {
  const logger = {
    child: jest.fn(),
    debug: jest.fn(),
    info: jest.fn(),
    warn: jest.fn(),
    error: jest.fn(),
  };
  logger.child.mockReturnValue(logger);
  const runner = { run: jest.fn() };
  const services = { listInstances: jest.fn<Promise<InstanceList>, any>() };
  const clusters = {
    listClusters: jest.fn(async () => ({
      items: [
        { name: 'prod', owner: 'group:default/payments' },
        { name: 'dev', owner: 'group:default/marketing' },
      ] as any,
      totalCount: 2,
    })),
  };
  const provider = ServiceInstanceEntityProvider.fromConfig(
    mockServices.rootConfig({ data: {} }),
    {
      logger: logger as unknown as LoggerService,
      scheduler: {
        createScheduledTaskRunner: () => runner,
      } as unknown as SchedulerService,
      discovery: {
        getBaseUrl: async id => `http://internal/api/${id}`,
        getExternalBaseUrl: async id => `https://portal.example.com/api/${id}`,
      },
      auth: mockServices.auth({ pluginId: 'catalog' }),
      services,
      clusters,
    },
  );
  const connection = {
    applyMutation: jest.fn(),
    refresh: jest.fn(),
  } as jest.Mocked<EntityProviderConnection>;
  const provided = () =>
    (connection.applyMutation.mock.calls.at(-1)![0] as any).entities.map(
      (e: any) => e.entity,
    );
  return { provider, services, connection, provided, logger, runner };
}

describe('ServiceInstanceEntityProvider', () => {
  it('provides each instance as an integrated-service Resource that depends on its cluster, owned by its owner', async () => {
    const { provider, services, connection, provided, runner } = setup();
    await provider.connect(connection);
    expect(runner.run).toHaveBeenCalledWith(
      expect.objectContaining({ id: INSTANCES_PROVIDER_NAME }),
    );
    services.listInstances.mockResolvedValue({
      items: [view('prod', 'monitoring'), view('dev', 'logging')],
      clusters: 2,
      problems: [],
    });
    await provider.refresh();
    const [monitoring, logging] = provided();
    expect(monitoring).toMatchObject({
      kind: 'Resource',
      metadata: {
        name: 'prod-monitoring',
        title: 'monitoring on prod',
        annotations: {
          'pipeline-portal.io/cluster': 'prod',
          'pipeline-portal.io/integrated-service': 'monitoring',
          'pipeline-portal.io/installed-version': '1.2.0',
          'pipeline-portal.io/phase': 'Ready',
        },
      },
      spec: {
        type: 'integrated-service',
        owner: 'group:default/payments',
        dependsOn: ['resource:default/prod'],
      },
    });
    expect(logging.spec.owner).toBe('group:default/marketing');
  });

  it('keeps the entities of a cluster that did not answer, and keeps the catalog on a failed read', async () => {
    const { provider, services, connection, provided, logger } = setup();
    await provider.connect(connection);
    services.listInstances.mockResolvedValueOnce({
      items: [view('prod', 'monitoring'), view('dev', 'logging')],
      clusters: 2,
      problems: [],
    });
    await provider.refresh();
    services.listInstances.mockResolvedValueOnce({
      items: [view('prod', 'monitoring')],
      clusters: 2,
      problems: [{ cluster: 'dev', message: 'timeout' }],
    });
    await provider.refresh();
    expect(provided().map((e: any) => e.metadata.name)).toEqual([
      'prod-monitoring',
      'dev-logging',
    ]);

    services.listInstances.mockRejectedValueOnce(new Error('down'));
    await provider.refresh();
    expect(connection.applyMutation).toHaveBeenCalledTimes(2);
    expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining('down'));
  });

  it('names an instance within 63 characters', () => {
    const name = instanceEntityName('a'.repeat(50), 'vulnerability-scanning');
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(/^a{50}-vul-[0-9a-f]{8}$/);
    expect(instanceEntityName('prod', 'dns')).toBe('prod-dns');
  });
});
