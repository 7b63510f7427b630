import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { isError } from '@backstage/errors';
import { ANNOTATION_KUBERNETES_AUTH_PROVIDER } from '@backstage/plugin-kubernetes-common';
import {
  ClusterDetails,
  KubernetesClustersSupplier,
  KubernetesCredential,
} from '@backstage/plugin-kubernetes-node';
import {
  Cluster,
  ClusterAccess,
  PipelineClustersApi,
  PipelineClustersClient,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import {
  ClusterCredentials,
  PORTAL_CLUSTER_ANNOTATION,
} from './auth/ClusterCredentials';
import { mapWithConcurrency } from '@pipeline-portal/backend-kit';

const CONFIG_ROOT = 'pipelinePortal.clusters.kubernetesSupplier';
const DEFAULT_REFRESH_SECONDS = 30;
const PAGE_SIZE = 100;
const DEFAULT_ACCESS_CONCURRENCY = 5;

export interface PipelineClustersSupplierOptions {
  logger: LoggerService;
  auth: AuthService;
  discovery: DiscoveryService;
  /** Seconds between background refreshes. Defaults to 30. */
  refreshIntervalSeconds?: number;
  /** Access reads in flight at once. Defaults to 5. */
  accessConcurrency?: number;
  /** Where each cluster's credential is kept for the auth strategy. */
  credentials: ClusterCredentials;
  /** Replaces the REST client, for tests. */
  client?: PipelineClustersApi;
}

/**
 * Supplies the portal's Running clusters to the Kubernetes backend. Their
 * credentials (a bearer token or a client certificate, as the cluster's
 * kubeconfig holds) go to {@link ClusterCredentials}, never into the
 * details themselves.
 *
 * The list is cached and refreshed in the background between `start()` and
 * `stop()`; a failed refresh keeps serving the last good list.
 */
export class PipelineClustersSupplier implements KubernetesClustersSupplier {
  private readonly logger: LoggerService;
  private readonly auth: AuthService;
  private readonly client: PipelineClustersApi;
  private readonly refreshIntervalMs: number;
  private readonly accessConcurrency: number;
  private readonly credentials: ClusterCredentials;
  private clusters: ClusterDetails[] = [];
  private loaded = false;
  private inFlight?: Promise<void>;
  private timer?: ReturnType<typeof setInterval>;
  /** Clusters already reported as unusable, so each is logged once. */
  private readonly reportedUnusable = new Set<string>();
  /** Details per cluster as of its last change: unchanged clusters cost no call. */
  private readonly known = new Map<
    string,
    { updatedAt: string; details?: ClusterDetails }
  >();

  static fromConfig(
    config: RootConfigService,
    options: Omit<PipelineClustersSupplierOptions, 'refreshIntervalSeconds'>,
  ): PipelineClustersSupplier {
    return new PipelineClustersSupplier({
      ...options,
      refreshIntervalSeconds: config.getOptionalNumber(
        `${CONFIG_ROOT}.refreshIntervalSeconds`,
      ),
    });
  }

  constructor(options: PipelineClustersSupplierOptions) {
    this.logger = options.logger;
    this.auth = options.auth;
    this.credentials = options.credentials;
    this.client =
      options.client ??
      new PipelineClustersClient({ discoveryApi: options.discovery });
    const seconds = options.refreshIntervalSeconds ?? DEFAULT_REFRESH_SECONDS;
    if (!(seconds > 0)) {
      throw new Error(
        `${CONFIG_ROOT}.refreshIntervalSeconds must be a positive number, got ${seconds}`,
      );
    }
    this.refreshIntervalMs = seconds * 1000;
    this.accessConcurrency =
      options.accessConcurrency ?? DEFAULT_ACCESS_CONCURRENCY;
  }

  /**
   * Loads the list now and then every interval. Called once the backend has
   * started, since the REST API is not served before.
   */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.refresh();
    }, this.refreshIntervalMs);
    // The cache must never keep the process alive.
    this.timer.unref();
    this.refresh();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * Serves the cache without calling the API, except that the first load is
   * awaited when it is under way. Never blocks on the API otherwise: the
   * Kubernetes backend calls this during its own start-up.
   */
  async getClusters(_options?: {
    credentials: BackstageCredentials;
  }): Promise<ClusterDetails[]> {
    if (!this.loaded && this.inFlight) {
      await this.inFlight;
    }
    return this.clusters;
  }

  /** Reloads the list; concurrent callers share one load. Never rejects. */
  refresh(): Promise<void> {
    if (!this.inFlight) {
      this.inFlight = this.load().finally(() => {
        this.inFlight = undefined;
      });
    }
    return this.inFlight;
  }

  private async load(): Promise<void> {
    try {
      const { token } = await this.auth.getPluginRequestToken({
        onBehalfOf: await this.auth.getOwnServiceCredentials(),
        targetPluginId: 'pipeline-clusters',
      });
      const running = await this.listRunning(token);
      const previous = new Map(this.clusters.map(c => [c.name, c]));
      const details = await mapWithConcurrency(
        running,
        this.accessConcurrency,
        async cluster => {
          const known = this.known.get(cluster.name);
          if (known && known.updatedAt === cluster.updatedAt) {
            return known.details;
          }
          const fresh = await this.toDetails(
            cluster,
            token,
            previous.get(cluster.name),
          );
          if (fresh.read) {
            this.known.set(cluster.name, {
              updatedAt: cluster.updatedAt,
              details: fresh.details,
            });
          }
          return fresh.details;
        },
      );
      const names = new Set(running.map(c => c.name));
      for (const name of this.known.keys()) {
        if (!names.has(name)) this.known.delete(name);
      }
      this.clusters = details.filter((d): d is ClusterDetails => !!d);
      this.loaded = true;
      this.logger.debug(`Loaded ${this.clusters.length} portal clusters`);
    } catch (error) {
      this.logger.warn(
        `Failed to list clusters from the pipeline-clusters API; serving the last known ${
          this.clusters.length
        } clusters: ${describe(error)}`,
      );
    }
  }

  private async listRunning(token: string): Promise<Cluster[]> {
    const clusters: Cluster[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.client.listClusters(
        { phase: 'Running', limit: PAGE_SIZE, cursor },
        { token },
      );
      clusters.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    // The filter is applied again in case the API ignores the query.
    return clusters.filter(c => c.status.phase === 'Running');
  }

  /**
   * One cluster's details, or the previous ones if its access cannot be read
   * now, or nothing if its kubeconfig holds no usable credential.
   */
  private async toDetails(
    cluster: Cluster,
    token: string,
    previous: ClusterDetails | undefined,
  ): Promise<{ details?: ClusterDetails; read: boolean }> {
    let access: ClusterAccess;
    try {
      access = await this.client.getClusterAccess(cluster.name, { token });
    } catch (error) {
      this.logger.warn(
        `Failed to read access to cluster ${cluster.name}; ${
          previous ? 'keeping its previous details' : 'leaving it out'
        }: ${describe(error)}`,
      );
      return { details: previous, read: false };
    }
    const url = access.apiServer || cluster.status.apiServer;
    const credential = toCredential(access);
    if (!credential || !url) {
      if (!this.reportedUnusable.has(cluster.name)) {
        this.reportedUnusable.add(cluster.name);
        this.logger.warn(
          `Cluster ${cluster.name} is left out of the Kubernetes plugin: ${
            url
              ? 'its kubeconfig has neither a token nor a client certificate with its key'
              : 'its API server is unknown'
          }`,
        );
      }
      return { read: true };
    }
    this.reportedUnusable.delete(cluster.name);
    const details: ClusterDetails = {
      name: cluster.name,
      url,
      ...(access.caData && { caData: access.caData }),
      authMetadata: {
        [ANNOTATION_KUBERNETES_AUTH_PROVIDER]: 'serviceAccount',
        [PORTAL_CLUSTER_ANNOTATION]: cluster.name,
      },
      skipTLSVerify: false,
      skipMetricsLookup: true,
    };
    this.credentials.set(details, credential);
    return { details, read: true };
  }
}

/**
 * The credential a kubeconfig user carries: its token, else its client
 * certificate and key (kubeconfig `*-data` fields are base64 PEM).
 */
function toCredential(access: ClusterAccess): KubernetesCredential | undefined {
  if (access.token) return { type: 'bearer token', token: access.token };
  if (access.clientCertificateData && access.clientKeyData) {
    return {
      type: 'x509 client certificate',
      cert: Buffer.from(access.clientCertificateData, 'base64').toString(
        'utf8',
      ),
      key: Buffer.from(access.clientKeyData, 'base64').toString('utf8'),
    };
  }
  return undefined;
}

function describe(error: unknown): string {
  return isError(error) ? `${error.name}: ${error.message}` : String(error);
}
