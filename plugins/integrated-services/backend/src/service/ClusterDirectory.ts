import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import {
  Cluster,
  PipelineClustersApi,
  PipelineClustersClient,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { ClusterConnection } from '../core/ClusterConnection';

const PAGE_SIZE = 100;

/** A cluster of the portal, as integrated services need it. */
export interface PortalCluster {
  name: string;
  owner: string;
  phase: string;
  /** Changes whenever the cluster (and so maybe its access) changes. */
  updatedAt: string;
}

/** Where clusters, connections to them and their owners' credentials come from. */
export interface Clusters {
  /** Every Running cluster. */
  list(): Promise<PortalCluster[]>;
  /** One cluster; NotFoundError when there is none of that name. */
  get(name: string): Promise<PortalCluster>;
  connect(cluster: PortalCluster): Promise<ClusterConnection>;
  /** A stored credential's value; undefined when it does not exist. */
  credential(
    owner: string,
    name: string,
  ): Promise<Record<string, string> | undefined>;
}

/** What reading a stored credential returns (the clusters API's contract). */
interface CredentialValueApi {
  getCredentialValue(
    owner: string,
    name: string,
    options: { token: string },
  ): Promise<{ value: Record<string, string> }>;
}

/**
 * The portal's clusters, from the clusters REST API with the plugin's
 * service credentials (as the Kubernetes cluster supplier reads them): the
 * Running ones, a connection to each (cached while the cluster is
 * unchanged) and the credentials their owners stored.
 */
export class ClusterDirectory implements Clusters {
  private readonly client: PipelineClustersApi;
  private readonly connections = new Map<
    string,
    { updatedAt: string; conn: Promise<ClusterConnection> }
  >();

  constructor(
    private readonly options: {
      auth: AuthService;
      discovery: DiscoveryService;
      requestsPerSecond: number;
      timeoutMs?: number;
      client?: PipelineClustersApi;
    },
  ) {
    this.client =
      options.client ??
      new PipelineClustersClient({ discoveryApi: options.discovery });
  }

  private async token(): Promise<string> {
    const { token } = await this.options.auth.getPluginRequestToken({
      onBehalfOf: await this.options.auth.getOwnServiceCredentials(),
      targetPluginId: 'pipeline-clusters',
    });
    return token;
  }

  /** Every Running cluster. */
  async list(): Promise<PortalCluster[]> {
    const token = await this.token();
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
    return clusters
      .filter(c => c.status.phase === 'Running')
      .map(c => ({
        name: c.name,
        owner: c.owner,
        phase: c.status.phase,
        updatedAt: c.updatedAt,
      }));
  }

  /** One cluster; NotFoundError when the portal has none of that name. */
  async get(name: string): Promise<PortalCluster> {
    try {
      const c = await this.client.getCluster(name, {
        token: await this.token(),
      });
      return {
        name: c.name,
        owner: c.owner,
        phase: c.status.phase,
        updatedAt: c.updatedAt,
      };
    } catch (error) {
      if (
        (error as { response?: { status?: number } }).response?.status === 404
      ) {
        throw new NotFoundError(`cluster "${name}" not found`);
      }
      throw error;
    }
  }

  /** A connection to a cluster, reused until the cluster changes. */
  connect(cluster: PortalCluster): Promise<ClusterConnection> {
    const known = this.connections.get(cluster.name);
    if (known && known.updatedAt === cluster.updatedAt) return known.conn;
    const conn = (async () => {
      const access = await this.client.getClusterAccess(cluster.name, {
        token: await this.token(),
      });
      return ClusterConnection.fromEndpoint(
        {
          name: cluster.name,
          server: access.apiServer,
          caData: access.caData,
          token: access.token,
          clientCertificateData: access.clientCertificateData,
          clientKeyData: access.clientKeyData,
        },
        {
          requestsPerSecond: this.options.requestsPerSecond,
          timeoutMs: this.options.timeoutMs,
        },
      );
    })();
    this.connections.set(cluster.name, { updatedAt: cluster.updatedAt, conn });
    conn.catch(() => this.connections.delete(cluster.name));
    return conn;
  }

  /**
   * The value of a credential the owner stored; undefined when it does not
   * exist. Never logged or returned to a user.
   */
  async credential(
    owner: string,
    name: string,
  ): Promise<Record<string, string> | undefined> {
    const api = this.client as Partial<CredentialValueApi>;
    if (!api.getCredentialValue) return undefined;
    try {
      const { value } = await api.getCredentialValue(owner, name, {
        token: await this.token(),
      });
      return value;
    } catch (error) {
      if (
        (error as { response?: { status?: number } }).response?.status === 404
      ) {
        return undefined;
      }
      throw error;
    }
  }
}
