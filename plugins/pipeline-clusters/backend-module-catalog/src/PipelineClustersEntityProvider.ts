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
import { ResponseError, isError } from '@backstage/errors';
import {
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import {
  Cluster,
  Distribution,
  PipelineClustersApi,
  PipelineClustersClient,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { mapWithConcurrency } from '@pipeline-portal/backend-kit';

/** Provider name, location key, task id and logger target: never change it. */
export const PROVIDER_NAME = 'pipeline-clusters-provider';

export const ANNOTATION_CLUSTER = 'pipeline-portal.io/cluster';
export const ANNOTATION_DISTRIBUTION = 'pipeline-portal.io/distribution';
export const ANNOTATION_PHASE = 'pipeline-portal.io/phase';
export const LABEL_DISTRIBUTION = 'pipeline-portal.io/distribution';

const CONFIG_ROOT = 'catalog.providers.pipelineClusters';
const PAGE_SIZE = 100;
const ACCESS_CONCURRENCY = 5;

const DEFAULT_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { seconds: 30 },
  timeout: { minutes: 3 },
};

const DISTRIBUTION_NAMES: Record<Distribution, string> = {
  eks: 'Amazon EKS',
  aks: 'Azure AKS',
  gke: 'Google GKE',
  oke: 'Oracle OKE',
  ack: 'Alibaba ACK',
  doks: 'DigitalOcean DOKS',
  import: 'Imported',
};

export interface PipelineClustersEntityProviderOptions {
  logger: LoggerService;
  scheduler: SchedulerService;
  discovery: DiscoveryService;
  auth: AuthService;
  /** Replaces the REST client, for tests. */
  client?: PipelineClustersApi;
}

interface ProviderSettings {
  lifecycle: string;
  system?: string;
}

/**
 * Mirrors every portal cluster (except Deleted ones) into the catalog as a
 * `Resource` of type `kubernetes-cluster`, by full mutation on a schedule.
 */
export class PipelineClustersEntityProvider implements EntityProvider {
  private connection?: EntityProviderConnection;

  private constructor(
    private readonly logger: LoggerService,
    private readonly taskRunner: SchedulerServiceTaskRunner,
    private readonly discovery: DiscoveryService,
    private readonly auth: AuthService,
    private readonly client: PipelineClustersApi,
    private readonly settings: ProviderSettings,
  ) {}

  static fromConfig(
    config: RootConfigService,
    options: PipelineClustersEntityProviderOptions,
  ): PipelineClustersEntityProvider {
    const providerConfig = config.getOptionalConfig(CONFIG_ROOT);
    const schedule = providerConfig?.has('schedule')
      ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
          providerConfig.getConfig('schedule'),
        )
      : DEFAULT_SCHEDULE;
    const system = providerConfig?.getOptionalString('system');
    return new PipelineClustersEntityProvider(
      options.logger.child({ target: PROVIDER_NAME }),
      // A scheduled task runner is coordinated across replicas: one runs it.
      options.scheduler.createScheduledTaskRunner(schedule),
      options.discovery,
      options.auth,
      options.client ??
        new PipelineClustersClient({ discoveryApi: options.discovery }),
      {
        lifecycle:
          providerConfig?.getOptionalString('lifecycle') ?? 'production',
        ...(system && { system }),
      },
    );
  }

  getProviderName(): string {
    return PROVIDER_NAME;
  }

  async connect(connection: EntityProviderConnection): Promise<void> {
    this.connection = connection;
    await this.taskRunner.run({
      id: PROVIDER_NAME,
      fn: () => this.refresh(),
    });
  }

  /**
   * Reads all clusters and replaces this provider's entities. Never throws: a
   * failed read leaves the catalog as it was, since a partial full mutation
   * would delete the entities of the clusters it did not read.
   */
  async refresh(): Promise<void> {
    if (!this.connection) {
      this.logger.warn('Not connected to the catalog yet; skipping refresh');
      return;
    }
    try {
      const entities = await this.readEntities();
      await this.connection.applyMutation({
        type: 'full',
        entities: entities.map(entity => ({
          entity,
          locationKey: PROVIDER_NAME,
        })),
      });
      this.logger.debug(`Provided ${entities.length} cluster entities`);
    } catch (error) {
      this.logger.warn(
        `Failed to read clusters from the pipeline-clusters API; keeping the current catalog entities: ${describe(
          error,
        )}`,
      );
    }
  }

  private async readEntities(): Promise<Entity[]> {
    const { token } = await this.auth.getPluginRequestToken({
      onBehalfOf: await this.auth.getOwnServiceCredentials(),
      targetPluginId: 'pipeline-clusters',
    });
    const clusters: Cluster[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.client.listClusters(
        { limit: PAGE_SIZE, cursor },
        { token },
      );
      clusters.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);

    const baseUrl = await this.discovery.getExternalBaseUrl(
      'pipeline-clusters',
    );
    const live = clusters.filter(c => c.status.phase !== 'Deleted');
    return mapWithConcurrency(live, ACCESS_CONCURRENCY, async cluster =>
      this.toEntity(cluster, baseUrl, await this.readCaData(cluster, token)),
    );
  }

  /**
   * The CA is public, so it may sit in the catalog; the access response also
   * carries the cluster's token, which is dropped here and never stored.
   */
  private async readCaData(
    cluster: Cluster,
    token: string,
  ): Promise<string | undefined> {
    if (!cluster.status.apiServer) return undefined;
    try {
      const access = await this.client.getClusterAccess(cluster.name, {
        token,
      });
      return access.caData || undefined;
    } catch (error) {
      // No kubeconfig (yet): publish the cluster without a CA. Any other
      // failure aborts the run so the annotation does not flap.
      if (isAbsent(error)) return undefined;
      throw error;
    }
  }

  private toEntity(
    cluster: Cluster,
    baseUrl: string,
    caData: string | undefined,
  ): Entity {
    const location = `pipeline-clusters:${baseUrl}/clusters/${encodeURIComponent(
      cluster.name,
    )}`;
    const apiServer = cluster.status.apiServer;
    const region = cluster.spec?.region;
    const version =
      cluster.status.kubernetesVersion ?? cluster.spec?.kubernetesVersion;
    const distributionName =
      DISTRIBUTION_NAMES[cluster.distribution] ?? cluster.distribution;

    return {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Resource',
      metadata: {
        name: cluster.name,
        title: `${cluster.name} (${[distributionName, region]
          .filter(Boolean)
          .join(', ')})`,
        description: [
          `${distributionName} Kubernetes cluster`,
          region && `in ${region}`,
          version && `running Kubernetes ${version}`,
        ]
          .filter(Boolean)
          .join(' '),
        annotations: {
          [ANNOTATION_LOCATION]: location,
          [ANNOTATION_ORIGIN_LOCATION]: location,
          [ANNOTATION_CLUSTER]: cluster.name,
          [ANNOTATION_DISTRIBUTION]: cluster.distribution,
          [ANNOTATION_PHASE]: cluster.status.phase,
          ...(apiServer && {
            'kubernetes.io/api-server': apiServer,
            ...(caData && {
              'kubernetes.io/api-server-certificate-authority': caData,
            }),
            'kubernetes.io/auth-provider': 'serviceAccount',
          }),
        },
        labels: {
          [LABEL_DISTRIBUTION]: cluster.distribution,
        },
      },
      spec: {
        type: 'kubernetes-cluster',
        owner: cluster.owner,
        lifecycle: this.settings.lifecycle,
        ...(this.settings.system && { system: this.settings.system }),
      },
    };
  }
}

/** The API answers 404 for an unknown cluster, 409 before its kubeconfig exists. */
function isAbsent(error: unknown): boolean {
  if (error instanceof ResponseError) {
    return error.response.status === 404 || error.response.status === 409;
  }
  return (
    isError(error) &&
    (error.name === 'NotFoundError' || error.name === 'ConflictError')
  );
}

function describe(error: unknown): string {
  return isError(error) ? `${error.name}: ${error.message}` : String(error);
}
