import { ResponseError } from '@backstage/errors';
import {
  Cluster,
  ClusterAccess,
  ClusterHistoryEntry,
  ClusterList,
  ClusterSpec,
  ClustersSettings,
  CredentialSummary,
  TeamNamespaceSummary,
} from './types';
import { CreateCredentialRequest } from './credentialSchema';
import { CreateNamespaceRequest, ImportClusterRequest } from './schema';

/** Options of every call: a backend caller passes the token it acts with. */
export interface RequestOptions {
  token?: string;
}

export interface ListClustersRequest {
  owner?: string;
  distribution?: string;
  phase?: string;
  search?: string;
  limit?: number;
  cursor?: string;
}

/** The input of a create call: sizes and defaults as the REST API accepts them. */
export type CreateClusterRequest = Omit<ClusterSpec, 'nodePools'> & {
  nodePools: Array<
    Omit<
      ClusterSpec['nodePools'][number],
      'desiredSize' | 'labels' | 'taints'
    > &
      Partial<
        Pick<
          ClusterSpec['nodePools'][number],
          'desiredSize' | 'labels' | 'taints'
        >
      >
  >;
};

export interface UpdateClusterRequest {
  /** The revision the change applies to; a stale one gets 409. */
  revision: number;
  kubernetesVersion?: string;
  nodePools?: CreateClusterRequest['nodePools'];
}

/** The pipeline-clusters REST API, as the frontend and other plugins call it. */
export interface PipelineClustersApi {
  /** What this portal offers: provisioning availability and versions. */
  getSettings(options?: RequestOptions): Promise<ClustersSettings>;
  listClusters(
    request?: ListClustersRequest,
    options?: RequestOptions,
  ): Promise<ClusterList>;
  getCluster(name: string, options?: RequestOptions): Promise<Cluster>;
  createCluster(
    request: CreateClusterRequest,
    options?: RequestOptions,
  ): Promise<Cluster>;
  importCluster(
    request: ImportClusterRequest,
    options?: RequestOptions,
  ): Promise<Cluster>;
  updateCluster(
    name: string,
    request: UpdateClusterRequest,
    options?: RequestOptions,
  ): Promise<Cluster>;
  deleteCluster(name: string, options?: RequestOptions): Promise<Cluster>;
  getClusterHistory(
    name: string,
    options?: RequestOptions,
  ): Promise<ClusterHistoryEntry[]>;
  /** The kubeconfig as YAML. */
  getKubeconfig(name: string, options?: RequestOptions): Promise<string>;
  /** For other backend plugins only: refused to users. */
  getClusterAccess(
    name: string,
    options?: RequestOptions,
  ): Promise<ClusterAccess>;
  /** Creates (or updates) a team's namespace on the cluster. */
  createNamespace(
    cluster: string,
    request: CreateNamespaceRequest,
    options?: RequestOptions,
  ): Promise<{ namespace: string; objects: string[] }>;
  /** The team namespaces the portal created on the cluster, by name. */
  listNamespaces(
    cluster: string,
    options?: RequestOptions,
  ): Promise<TeamNamespaceSummary[]>;
  /**
   * One team namespace the portal created on the cluster: its owner, team,
   * phase and creation time. Rejects with a 404 ResponseError when the
   * namespace does not exist or is not a portal team namespace. Users need
   * `cluster.read`; other plugins call it with their own service token and
   * must be on `pipelinePortal.clusters.serviceAccess.clusterAccess`.
   */
  getNamespace(
    cluster: string,
    namespace: string,
    options?: RequestOptions,
  ): Promise<TeamNamespaceSummary>;
  listCredentials(
    request?: { owner?: string },
    options?: RequestOptions,
  ): Promise<CredentialSummary[]>;
  createCredential(
    request: CreateCredentialRequest,
    options?: RequestOptions,
  ): Promise<CredentialSummary>;
  deleteCredential(
    request: { owner: string; name: string },
    options?: RequestOptions,
  ): Promise<void>;
  /** For other backend plugins only: a stored credential's value. */
  getCredentialValue(
    owner: string,
    name: string,
    options?: RequestOptions,
  ): Promise<{ value: Record<string, string> }>;
}

/** Typed client of the pipeline-clusters REST API over fetch. */
export class PipelineClustersClient implements PipelineClustersApi {
  private readonly discoveryApi: {
    getBaseUrl(pluginId: string): Promise<string>;
  };
  private readonly fetchApi: { fetch: typeof fetch };

  constructor(options: {
    discoveryApi: { getBaseUrl(pluginId: string): Promise<string> };
    fetchApi?: { fetch: typeof fetch };
  }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi ?? { fetch: (...args) => fetch(...args) };
  }

  async getSettings(options?: RequestOptions) {
    return this.json<ClustersSettings>('GET', '/settings', undefined, options);
  }

  async listClusters(
    request: ListClustersRequest = {},
    options?: RequestOptions,
  ) {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(request)) {
      if (value !== undefined) query.set(key, String(value));
    }
    const suffix = query.size ? `?${query}` : '';
    return this.json<ClusterList>(
      'GET',
      `/clusters${suffix}`,
      undefined,
      options,
    );
  }

  async getCluster(name: string, options?: RequestOptions) {
    return this.json<Cluster>(
      'GET',
      `/clusters/${enc(name)}`,
      undefined,
      options,
    );
  }

  async createCluster(request: CreateClusterRequest, options?: RequestOptions) {
    return this.json<Cluster>('POST', '/clusters', request, options);
  }

  async importCluster(request: ImportClusterRequest, options?: RequestOptions) {
    return this.json<Cluster>('POST', '/clusters/import', request, options);
  }

  async updateCluster(
    name: string,
    request: UpdateClusterRequest,
    options?: RequestOptions,
  ) {
    return this.json<Cluster>(
      'PATCH',
      `/clusters/${enc(name)}`,
      request,
      options,
    );
  }

  async deleteCluster(name: string, options?: RequestOptions) {
    return this.json<Cluster>(
      'DELETE',
      `/clusters/${enc(name)}`,
      undefined,
      options,
    );
  }

  async getClusterHistory(name: string, options?: RequestOptions) {
    const body = await this.json<{ items: ClusterHistoryEntry[] }>(
      'GET',
      `/clusters/${enc(name)}/history`,
      undefined,
      options,
    );
    return body.items;
  }

  async getKubeconfig(name: string, options?: RequestOptions) {
    const res = await this.request(
      'GET',
      `/clusters/${enc(name)}/kubeconfig`,
      undefined,
      options,
    );
    return res.text();
  }

  async getClusterAccess(name: string, options?: RequestOptions) {
    return this.json<ClusterAccess>(
      'GET',
      `/clusters/${enc(name)}/access`,
      undefined,
      options,
    );
  }

  async createNamespace(
    cluster: string,
    request: CreateNamespaceRequest,
    options?: RequestOptions,
  ) {
    return this.json<{ namespace: string; objects: string[] }>(
      'POST',
      `/clusters/${enc(cluster)}/namespaces`,
      request,
      options,
    );
  }

  async listNamespaces(cluster: string, options?: RequestOptions) {
    const body = await this.json<{ items: TeamNamespaceSummary[] }>(
      'GET',
      `/clusters/${enc(cluster)}/namespaces`,
      undefined,
      options,
    );
    return body.items;
  }

  async getNamespace(
    cluster: string,
    namespace: string,
    options?: RequestOptions,
  ): Promise<TeamNamespaceSummary> {
    return this.json<TeamNamespaceSummary>(
      'GET',
      `/clusters/${enc(cluster)}/namespaces/${enc(namespace)}`,
      undefined,
      options,
    );
  }

  async listCredentials(
    request: { owner?: string } = {},
    options?: RequestOptions,
  ) {
    const suffix = request.owner ? `?owner=${enc(request.owner)}` : '';
    const body = await this.json<{ items: CredentialSummary[] }>(
      'GET',
      `/credentials${suffix}`,
      undefined,
      options,
    );
    return body.items;
  }

  async createCredential(
    request: CreateCredentialRequest,
    options?: RequestOptions,
  ) {
    return this.json<CredentialSummary>(
      'POST',
      '/credentials',
      request,
      options,
    );
  }

  async deleteCredential(
    request: { owner: string; name: string },
    options?: RequestOptions,
  ) {
    await this.request(
      'DELETE',
      `/credentials/${enc(request.name)}?owner=${enc(request.owner)}`,
      undefined,
      options,
    );
  }

  async getCredentialValue(
    owner: string,
    name: string,
    options?: RequestOptions,
  ) {
    return this.json<{ value: Record<string, string> }>(
      'GET',
      `/credentials/${enc(owner)}/${enc(name)}/value`,
      undefined,
      options,
    );
  }

  private async json<T>(
    method: string,
    path: string,
    body: unknown,
    options?: RequestOptions,
  ): Promise<T> {
    const res = await this.request(method, path, body, options);
    return (await res.json()) as T;
  }

  private async request(
    method: string,
    path: string,
    body: unknown,
    options?: RequestOptions,
  ): Promise<Response> {
    const baseUrl = await this.discoveryApi.getBaseUrl('pipeline-clusters');
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (options?.token) headers.Authorization = `Bearer ${options.token}`;
    const res = await this.fetchApi.fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) {
      throw await ResponseError.fromResponse(res);
    }
    return res;
  }
}

function enc(value: string) {
  return encodeURIComponent(value);
}
