import { ResponseError } from '@backstage/errors';
import type {
  ActivateRequest,
  InstanceList,
  ListInstancesRequest,
  PreviewResult,
  ServiceInstanceView,
  ServiceList,
  ServicePlan,
} from './api';
import type { IntegratedServiceEntity } from './types';

/** Options of every call: a backend caller passes the token it acts with. */
export interface IntegratedServicesRequestOptions {
  token?: string;
}

/** The integrated-services REST API, as the frontend and other plugins call it. */
export interface IntegratedServicesApi {
  listServices(
    options?: IntegratedServicesRequestOptions,
  ): Promise<ServiceList>;
  getService(
    name: string,
    options?: IntegratedServicesRequestOptions,
  ): Promise<IntegratedServiceEntity>;
  getPlan(
    name: string,
    from: string,
    options?: IntegratedServicesRequestOptions,
  ): Promise<ServicePlan>;
  listInstances(
    request?: ListInstancesRequest,
    options?: IntegratedServicesRequestOptions,
  ): Promise<InstanceList>;
  listClusterInstances(
    cluster: string,
    options?: IntegratedServicesRequestOptions,
  ): Promise<InstanceList>;
  getInstance(
    cluster: string,
    service: string,
    options?: IntegratedServicesRequestOptions,
  ): Promise<ServiceInstanceView>;
  previewInstance(
    cluster: string,
    service: string,
    request: ActivateRequest,
    options?: IntegratedServicesRequestOptions,
  ): Promise<PreviewResult>;
  /** Activates or updates; resolves with the instance as written. */
  putInstance(
    cluster: string,
    service: string,
    request: ActivateRequest,
    options?: IntegratedServicesRequestOptions,
  ): Promise<ServiceInstanceView>;
  /** Deactivates: the reconciler uninstalls, then the instance goes. */
  deleteInstance(
    cluster: string,
    service: string,
    options?: IntegratedServicesRequestOptions,
  ): Promise<void>;
}

const enc = encodeURIComponent;

/** Typed client of the integrated-services REST API over fetch. */
export class IntegratedServicesClient implements IntegratedServicesApi {
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

  listServices(options?: IntegratedServicesRequestOptions) {
    return this.json<ServiceList>('GET', '/services', undefined, options);
  }

  getService(name: string, options?: IntegratedServicesRequestOptions) {
    return this.json<IntegratedServiceEntity>(
      'GET',
      `/services/${enc(name)}`,
      undefined,
      options,
    );
  }

  getPlan(
    name: string,
    from: string,
    options?: IntegratedServicesRequestOptions,
  ) {
    return this.json<ServicePlan>(
      'GET',
      `/services/${enc(name)}/plan?from=${enc(from)}`,
      undefined,
      options,
    );
  }

  listInstances(
    request: ListInstancesRequest = {},
    options?: IntegratedServicesRequestOptions,
  ) {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(request)) {
      if (value !== undefined) query.set(key, String(value));
    }
    const suffix = query.size ? `?${query}` : '';
    return this.json<InstanceList>(
      'GET',
      `/instances${suffix}`,
      undefined,
      options,
    );
  }

  listClusterInstances(
    cluster: string,
    options?: IntegratedServicesRequestOptions,
  ) {
    return this.json<InstanceList>(
      'GET',
      `/clusters/${enc(cluster)}/instances`,
      undefined,
      options,
    );
  }

  getInstance(
    cluster: string,
    service: string,
    options?: IntegratedServicesRequestOptions,
  ) {
    return this.json<ServiceInstanceView>(
      'GET',
      `/clusters/${enc(cluster)}/instances/${enc(service)}`,
      undefined,
      options,
    );
  }

  previewInstance(
    cluster: string,
    service: string,
    request: ActivateRequest,
    options?: IntegratedServicesRequestOptions,
  ) {
    return this.json<PreviewResult>(
      'POST',
      `/clusters/${enc(cluster)}/instances/${enc(service)}/preview`,
      request,
      options,
    );
  }

  putInstance(
    cluster: string,
    service: string,
    request: ActivateRequest,
    options?: IntegratedServicesRequestOptions,
  ) {
    return this.json<ServiceInstanceView>(
      'PUT',
      `/clusters/${enc(cluster)}/instances/${enc(service)}`,
      request,
      options,
    );
  }

  async deleteInstance(
    cluster: string,
    service: string,
    options?: IntegratedServicesRequestOptions,
  ) {
    await this.request(
      'DELETE',
      `/clusters/${enc(cluster)}/instances/${enc(service)}`,
      undefined,
      options,
    );
  }

  private async json<T>(
    method: string,
    path: string,
    body: unknown,
    options?: IntegratedServicesRequestOptions,
  ): Promise<T> {
    const res = await this.request(method, path, body, options);
    return (await res.json()) as T;
  }

  private async request(
    method: string,
    path: string,
    body: unknown,
    options?: IntegratedServicesRequestOptions,
  ): Promise<Response> {
    const baseUrl = await this.discoveryApi.getBaseUrl('integrated-services');
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (options?.token) headers.Authorization = `Bearer ${options.token}`;
    const res = await this.fetchApi.fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw await ResponseError.fromResponse(res);
    return res;
  }
}
