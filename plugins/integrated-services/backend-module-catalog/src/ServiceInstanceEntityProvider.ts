import {
  AuthService,
  DiscoveryService,
  LoggerService,
  RootConfigService,
  SchedulerService,
  SchedulerServiceTaskRunner,
  SchedulerServiceTaskScheduleDefinition,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
} from '@backstage/backend-plugin-api';
import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  Entity,
} from '@backstage/catalog-model';
import { isError } from '@backstage/errors';
import {
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import {
  IntegratedServicesApi,
  IntegratedServicesClient,
  ServiceInstanceView,
} from '@pipeline-portal/plugin-integrated-services-common';
import {
  Cluster,
  PipelineClustersApi,
  PipelineClustersClient,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { createHash } from 'node:crypto';

/** Provider name, location key, task id and logger target: never change it. */
export const INSTANCES_PROVIDER_NAME = 'integrated-service-instances-provider';

export const ANNOTATION_CLUSTER = 'pipeline-portal.io/cluster';
export const ANNOTATION_SERVICE = 'pipeline-portal.io/integrated-service';
export const ANNOTATION_PHASE = 'pipeline-portal.io/phase';
export const ANNOTATION_VERSION = 'pipeline-portal.io/installed-version';
export const ANNOTATION_MANAGED_BY = 'pipeline-portal.io/managed-by';

const CONFIG_ROOT = 'catalog.providers.integratedServiceInstances';
const PAGE_SIZE = 100;
const DEFAULT_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { seconds: 30 },
  timeout: { minutes: 3 },
};

export interface ServiceInstanceEntityProviderOptions {
  logger: LoggerService;
  scheduler: SchedulerService;
  discovery: DiscoveryService;
  auth: AuthService;
  /** Replace the REST clients, for tests. */
  services?: Pick<IntegratedServicesApi, 'listInstances'>;
  clusters?: Pick<PipelineClustersApi, 'listClusters'>;
}

/** The entity name of a service on a cluster: `<cluster>-<service>`, hashed down to 63 characters. */
export function instanceEntityName(cluster: string, service: string): string {
  const name = `${cluster}-${service}`;
  if (name.length <= 63) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, 54).replace(/-+$/, '')}-${hash}`;
}

/**
 * Mirrors every ServiceInstance of the portal's clusters into the catalog as
 * a `Resource` of type `integrated-service` that depends on its cluster's
 * Resource and is owned by the cluster's owner, by full mutation on a
 * schedule. A cluster that cannot be read keeps the entities it had.
 */
export class ServiceInstanceEntityProvider implements EntityProvider {
  private connection?: EntityProviderConnection;
  /** The last entities seen per cluster, kept while a cluster does not answer. */
  private lastSeen = new Map<string, Entity[]>();

  private constructor(
    private readonly logger: LoggerService,
    private readonly taskRunner: SchedulerServiceTaskRunner,
    private readonly discovery: DiscoveryService,
    private readonly auth: AuthService,
    private readonly services: Pick<IntegratedServicesApi, 'listInstances'>,
    private readonly clusters: Pick<PipelineClustersApi, 'listClusters'>,
    private readonly lifecycle: string,
  ) {}

  static fromConfig(
    config: RootConfigService,
    options: ServiceInstanceEntityProviderOptions,
  ): ServiceInstanceEntityProvider {
    const providerConfig = config.getOptionalConfig(CONFIG_ROOT);
    const schedule = providerConfig?.has('schedule')
      ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
          providerConfig.getConfig('schedule'),
        )
      : DEFAULT_SCHEDULE;
    const discoveryApi = options.discovery;
    return new ServiceInstanceEntityProvider(
      options.logger.child({ target: INSTANCES_PROVIDER_NAME }),
      // A scheduled task runner is coordinated across replicas: one runs it.
      options.scheduler.createScheduledTaskRunner(schedule),
      options.discovery,
      options.auth,
      options.services ?? new IntegratedServicesClient({ discoveryApi }),
      options.clusters ?? new PipelineClustersClient({ discoveryApi }),
      providerConfig?.getOptionalString('lifecycle') ?? 'production',
    );
  }

  getProviderName(): string {
    return INSTANCES_PROVIDER_NAME;
  }

  async connect(connection: EntityProviderConnection): Promise<void> {
    this.connection = connection;
    await this.taskRunner.run({
      id: INSTANCES_PROVIDER_NAME,
      fn: () => this.refresh(),
    });
  }

  /** Reads every instance and replaces this provider's entities. Never throws. */
  async refresh(): Promise<void> {
    if (!this.connection) return;
    try {
      const entities = await this.readEntities();
      await this.connection.applyMutation({
        type: 'full',
        entities: entities.map(entity => ({
          entity,
          locationKey: INSTANCES_PROVIDER_NAME,
        })),
      });
      this.logger.debug(`Provided ${entities.length} service instances`);
    } catch (error) {
      this.logger.warn(
        `Failed to read service instances; keeping the current catalog entities: ${
          isError(error) ? `${error.name}: ${error.message}` : String(error)
        }`,
      );
    }
  }

  private async token(targetPluginId: string) {
    const { token } = await this.auth.getPluginRequestToken({
      onBehalfOf: await this.auth.getOwnServiceCredentials(),
      targetPluginId,
    });
    return { token };
  }

  private async readEntities(): Promise<Entity[]> {
    const owners = await this.clusterOwners();
    const list = await this.services.listInstances(
      {},
      await this.token('integrated-services'),
    );
    const baseUrl = await this.discovery.getExternalBaseUrl(
      'integrated-services',
    );
    const byCluster = new Map<string, Entity[]>();
    for (const view of list.items) {
      const owner = owners.get(view.cluster);
      if (!owner) continue;
      const entities = byCluster.get(view.cluster) ?? [];
      entities.push(this.toEntity(view, owner, baseUrl));
      byCluster.set(view.cluster, entities);
    }
    for (const problem of list.problems) {
      const kept = this.lastSeen.get(problem.cluster);
      if (kept && owners.has(problem.cluster)) {
        byCluster.set(problem.cluster, kept);
      }
    }
    this.lastSeen = byCluster;
    return [...byCluster.values()].flat();
  }

  private async clusterOwners(): Promise<Map<string, string>> {
    const token = await this.token('pipeline-clusters');
    const clusters: Cluster[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.clusters.listClusters(
        { limit: PAGE_SIZE, cursor },
        token,
      );
      clusters.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return new Map(clusters.map(c => [c.name, c.owner]));
  }

  private toEntity(
    view: ServiceInstanceView,
    owner: string,
    baseUrl: string,
  ): Entity {
    const location = `integrated-services:${baseUrl}/clusters/${encodeURIComponent(
      view.cluster,
    )}/instances/${encodeURIComponent(view.service)}`;
    const version = view.status.installedVersion;
    return {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Resource',
      metadata: {
        name: instanceEntityName(view.cluster, view.service),
        title: `${view.service} on ${view.cluster}`,
        description: `Integrated service ${view.service}${
          version ? ` ${version}` : ''
        } on cluster ${view.cluster}: ${view.status.phase}`,
        annotations: {
          [ANNOTATION_LOCATION]: location,
          [ANNOTATION_ORIGIN_LOCATION]: location,
          [ANNOTATION_CLUSTER]: view.cluster,
          [ANNOTATION_SERVICE]: view.service,
          [ANNOTATION_PHASE]: view.status.phase,
          [ANNOTATION_MANAGED_BY]: view.managedBy,
          ...(version && { [ANNOTATION_VERSION]: version }),
        },
        labels: { [ANNOTATION_SERVICE]: view.service },
      },
      spec: {
        type: 'integrated-service',
        owner,
        lifecycle: this.lifecycle,
        dependsOn: [`resource:default/${view.cluster}`],
      },
    };
  }
}
