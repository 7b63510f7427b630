import type {
  KubeConfig,
  KubernetesObject,
  KubernetesObjectApi,
  CustomObjectsApi,
} from '@kubernetes/client-node';
import { clientNode, RateLimiter } from '@pipeline-portal/backend-kit';
import https from 'node:https';
import { ClusterApiError, toClusterApiError } from './errors';
import { FIELD_MANAGER } from './instance';

export type Header = Pick<KubernetesObject, 'apiVersion' | 'kind'> & {
  metadata: { name?: string; namespace?: string };
};

/** How to reach a cluster's API server (as the clusters API hands it out). */
export interface ClusterEndpoint {
  name: string;
  server: string;
  caData?: string;
  token?: string;
  clientCertificateData?: string;
  clientKeyData?: string;
}

export interface ClusterConnectionOptions {
  /** Requests per second against this cluster; 0 for no bound. */
  requestsPerSecond?: number;
  /** Per request timeout. @default 10000 */
  timeoutMs?: number;
}

/** A call the cluster did not answer in time (counted as transient). */
class TimeoutError extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

function isReset(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | undefined;
  return (
    e?.code === 'ECONNRESET' ||
    (typeof e?.message === 'string' && e.message.includes('socket hang up'))
  );
}

export function describeObject(object: Header): string {
  const ns = object.metadata.namespace ? `${object.metadata.namespace}/` : '';
  return `${object.kind} ${ns}${object.metadata.name}`;
}

/**
 * One cluster's API, as the integrated-services reconciler uses it: server-side
 * apply as its field manager, reads, lists, deletes and status patches, each
 * paced by the cluster's request budget and bounded in time.
 */
export class ClusterConnection {
  /** From the cluster access the clusters API gives (TLS always verified). */
  static fromEndpoint(
    endpoint: ClusterEndpoint,
    options: ClusterConnectionOptions = {},
  ): ClusterConnection {
    const kc = new (clientNode().KubeConfig)();
    kc.loadFromOptions({
      clusters: [
        {
          name: endpoint.name,
          server: endpoint.server,
          caData: endpoint.caData,
          skipTLSVerify: false,
        },
      ],
      users: [
        {
          name: 'portal',
          token: endpoint.token,
          certData: endpoint.clientCertificateData,
          keyData: endpoint.clientKeyData,
        },
      ],
      contexts: [{ name: 'c', cluster: endpoint.name, user: 'portal' }],
      currentContext: 'c',
    });
    return new ClusterConnection(endpoint.name, kc, options);
  }

  /** Inside the cluster, with the pod's service account (the operator). */
  static inCluster(options: ClusterConnectionOptions = {}): ClusterConnection {
    const kc = new (clientNode().KubeConfig)();
    kc.loadFromCluster();
    return new ClusterConnection('in-cluster', kc, options);
  }

  private readonly objects: KubernetesObjectApi;
  private readonly custom: CustomObjectsApi;
  private readonly limiter: RateLimiter;
  private readonly timeoutMs: number;
  /** Requests made, for tests and benchmarks. */
  requestCount = 0;

  constructor(
    readonly name: string,
    kc: KubeConfig,
    options: ClusterConnectionOptions = {},
  ) {
    const k8s = clientNode();
    // client-node builds an https.Agent per request: one keep-alive agent per
    // cluster saves a TLS handshake on every call.
    let agent: https.Agent | undefined;
    Object.assign(kc, {
      createAgent: (_cluster: unknown, agentOptions: https.AgentOptions) =>
        (agent ??= new https.Agent({ ...agentOptions, keepAlive: true })),
    });
    this.objects = k8s.KubernetesObjectApi.makeApiClient(kc);
    this.custom = kc.makeApiClient(k8s.CustomObjectsApi);
    this.limiter = new RateLimiter(options.requestsPerSecond ?? 0);
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  private async call<T>(
    what: string,
    fn: () => Promise<T>,
    idempotent = false,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once(fn);
      } catch (error) {
        // A kept-alive socket the server closed while idle fails the next
        // request sent on it; a read or list is safe to send again at once.
        if (idempotent && attempt === 0 && isReset(error)) continue;
        throw toClusterApiError(error, what);
      }
    }
  }

  private async once<T>(fn: () => Promise<T>): Promise<T> {
    await this.limiter.wait();
    this.requestCount++;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        fn(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new TimeoutError(this.timeoutMs)),
            this.timeoutMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Server-side apply, forced: the rendered fields are the portal's. */
  async apply<T extends KubernetesObject>(object: T): Promise<T> {
    return this.call(`applying ${describeObject(object as Header)}`, () =>
      this.objects.patch(
        object,
        undefined,
        undefined,
        FIELD_MANAGER,
        true,
        clientNode().PatchStrategy.ServerSideApply,
      ),
    );
  }

  /** A JSON merge patch (annotations, finalizers, a step's patch). */
  async merge(
    object: Header,
    patch: Record<string, unknown>,
  ): Promise<KubernetesObject> {
    return this.patchAs(object, patch, 'merge');
  }

  async patchAs(
    object: Header,
    patch: unknown,
    type: 'merge' | 'json' | 'strategic',
  ): Promise<KubernetesObject> {
    const { PatchStrategy } = clientNode();
    const strategy = {
      merge: PatchStrategy.MergePatch,
      json: PatchStrategy.JsonPatch,
      strategic: PatchStrategy.StrategicMergePatch,
    }[type];
    const body =
      type === 'json'
        ? patch
        : {
            ...(patch as Record<string, unknown>),
            apiVersion: object.apiVersion,
            kind: object.kind,
            metadata: {
              ...((patch as { metadata?: object }).metadata ?? {}),
              name: object.metadata.name,
              namespace: object.metadata.namespace,
            },
          };
    return this.call(`patching ${describeObject(object)}`, () =>
      this.objects.patch(
        body as KubernetesObject,
        undefined,
        undefined,
        FIELD_MANAGER,
        undefined,
        strategy,
      ),
    );
  }

  /** The object, or undefined when it does not exist. */
  async read<T extends KubernetesObject>(
    object: Header,
  ): Promise<T | undefined> {
    try {
      return await this.call(
        `reading ${describeObject(object)}`,
        () =>
          this.objects.read<T>({
            apiVersion: object.apiVersion!,
            kind: object.kind!,
            metadata: {
              name: object.metadata.name!,
              namespace: object.metadata.namespace,
            },
          }),
        true,
      );
    } catch (error) {
      if ((error as ClusterApiError).status === 404) return undefined;
      throw error;
    }
  }

  /** Objects of a kind in a namespace; none when the kind is not served. */
  async list<T extends KubernetesObject>(
    apiVersion: string,
    kind: string,
    namespace?: string,
    labelSelector?: string,
  ): Promise<T[]> {
    try {
      const list = await this.call(
        `listing ${kind}`,
        () =>
          this.objects.list<T>(
            apiVersion,
            kind,
            namespace,
            undefined,
            undefined,
            undefined,
            undefined,
            labelSelector,
          ),
        true,
      );
      return list.items.map(item => ({ apiVersion, kind, ...item }));
    } catch (error) {
      if ((error as ClusterApiError).status === 404) return [];
      throw error;
    }
  }

  /** Deletes (background propagation); true if it existed. */
  async delete(object: Header): Promise<boolean> {
    try {
      await this.call(`deleting ${describeObject(object)}`, () =>
        this.objects.delete(
          object as KubernetesObject,
          undefined,
          undefined,
          undefined,
          undefined,
          'Background',
        ),
      );
      return true;
    } catch (error) {
      if ((error as ClusterApiError).status === 404) return false;
      throw error;
    }
  }

  async create<T extends KubernetesObject>(object: T): Promise<T> {
    return this.call(`creating ${describeObject(object as Header)}`, () =>
      this.objects.create(object, undefined, undefined, FIELD_MANAGER),
    );
  }

  /**
   * Replaces an object (PUT); its resourceVersion guards against a lost
   * update (409 when it changed meanwhile).
   */
  async replace<T extends KubernetesObject>(object: T): Promise<T> {
    return this.call(`replacing ${describeObject(object as Header)}`, () =>
      this.objects.replace(object, undefined, undefined, FIELD_MANAGER),
    );
  }

  /** Merge-patches the status subresource of a custom resource. */
  async patchStatus(
    object: Header,
    plural: string,
    status: Record<string, unknown>,
  ): Promise<KubernetesObject> {
    const [group, version] = object.apiVersion!.split('/');
    const { setHeaderOptions } = clientNode();
    return this.call(`writing the status of ${describeObject(object)}`, () =>
      this.custom.patchNamespacedCustomObjectStatus(
        {
          group,
          version,
          namespace: object.metadata.namespace!,
          plural,
          name: object.metadata.name!,
          body: { status },
          fieldManager: FIELD_MANAGER,
        },
        setHeaderOptions('Content-Type', 'application/merge-patch+json'),
      ),
    );
  }
}
