import { ResponseError } from '@backstage/errors';
import type {
  BindRepositoryRequest,
  Delivery,
  ExplainRequest,
  ExplainResponse,
  ListDeliveriesRequest,
  ListRunsRequest,
  PipelineRunSummary,
  RepositoryBinding,
} from './api';

/** Options of every call: a backend caller passes the token it acts with. */
export interface SpotguidesRequestOptions {
  token?: string;
}

/** The spotguides REST API, as the frontend and other plugins call it. */
export interface SpotguidesApi {
  /** Recent deliveries, newest first. */
  listDeliveries(
    req: ListDeliveriesRequest,
    options?: SpotguidesRequestOptions,
  ): Promise<{ items: Delivery[] }>;
  /** For a repository, commit and event: which pipelines would run and why. */
  explain(
    req: ExplainRequest,
    options?: SpotguidesRequestOptions,
  ): Promise<ExplainResponse>;
  /** The PipelineRuns of one catalog entity. */
  listRuns(
    req: ListRunsRequest,
    options?: SpotguidesRequestOptions,
  ): Promise<{ items: PipelineRunSummary[] }>;
  /** The component a repository is bound to. */
  getBinding(
    repository: string,
    options?: SpotguidesRequestOptions,
  ): Promise<RepositoryBinding>;
  /** Whether the caller may manage the repository (its portal webhook). */
  getRepositoryManagement(
    repository: string,
    options?: SpotguidesRequestOptions,
  ): Promise<{ allowed: boolean; reason: string }>;
  /** Binds a repository to a component (its owners, or admins). */
  bindRepository(
    repository: string,
    req: BindRepositoryRequest,
    options?: SpotguidesRequestOptions,
  ): Promise<RepositoryBinding>;
}

/** Typed client of the spotguides REST API over fetch. */
export class SpotguidesClient implements SpotguidesApi {
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

  listDeliveries(
    req: ListDeliveriesRequest = {},
    options?: SpotguidesRequestOptions,
  ) {
    return this.json<{ items: Delivery[] }>(
      'GET',
      `/deliveries${query({ repository: req.repository, limit: req.limit })}`,
      undefined,
      options,
    );
  }

  explain(req: ExplainRequest, options?: SpotguidesRequestOptions) {
    return this.json<ExplainResponse>('POST', '/explain', req, options);
  }

  listRuns(req: ListRunsRequest, options?: SpotguidesRequestOptions) {
    return this.json<{ items: PipelineRunSummary[] }>(
      'GET',
      `/runs${query({ entityRef: req.entityRef })}`,
      undefined,
      options,
    );
  }

  getBinding(repository: string, options?: SpotguidesRequestOptions) {
    return this.json<RepositoryBinding>(
      'GET',
      `/repositories/${repositoryPath(repository)}/binding`,
      undefined,
      options,
    );
  }

  getRepositoryManagement(
    repository: string,
    options?: SpotguidesRequestOptions,
  ) {
    return this.json<{ allowed: boolean; reason: string }>(
      'GET',
      `/repositories/${repositoryPath(repository)}/management`,
      undefined,
      options,
    );
  }

  bindRepository(
    repository: string,
    req: BindRepositoryRequest,
    options?: SpotguidesRequestOptions,
  ) {
    return this.json<RepositoryBinding>(
      'PUT',
      `/repositories/${repositoryPath(repository)}/binding`,
      req,
      options,
    );
  }

  private async json<T>(
    method: string,
    path: string,
    body: unknown,
    options?: SpotguidesRequestOptions,
  ): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('spotguides');
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (options?.token) headers.Authorization = `Bearer ${options.token}`;
    const res = await this.fetchApi.fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw await ResponseError.fromResponse(res);
    return (await res.json()) as T;
  }
}

function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined) search.set(key, String(value));
  }
  return search.size ? `?${search}` : '';
}

/** `owner/name` as two path segments, each encoded. */
function repositoryPath(repository: string): string {
  const [owner, name, ...rest] = repository.split('/');
  if (!owner || !name || rest.length) {
    throw new TypeError(`repository must be owner/name, got "${repository}"`);
  }
  return `${encodeURIComponent(owner)}/${encodeURIComponent(name)}`;
}
