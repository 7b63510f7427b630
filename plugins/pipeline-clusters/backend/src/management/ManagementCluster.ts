import { Config } from '@backstage/config';
import type {
  KubernetesObject,
  KubernetesObjectApi,
  V1Secret,
} from '@kubernetes/client-node';
import https from 'node:https';
import { clientNode, RateLimiter } from '@pipeline-portal/backend-kit';
import { statusCodeOf, toManagementApiError } from './errors';

export const FIELD_MANAGER = 'pipeline-portal';

/** client-node's PatchStrategy.ServerSideApply, without loading the library. */
const SERVER_SIDE_APPLY = 'application/apply-patch+yaml' as const;

export interface ManagementClusterOptions {
  url: string;
  caData?: string;
  token: string;
  /** Namespace holding the portal's cluster objects. */
  namespace: string;
  /** Per request timeout. */
  timeoutMs?: number;
}

/** A call the management API did not answer in time. */
export class ManagementTimeoutError extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'ManagementTimeoutError';
  }
}

type Header = Pick<KubernetesObject, 'apiVersion' | 'kind' | 'metadata'>;

/**
 * The cluster where the provisioning engines (Cluster API, Crossplane) run:
 * the portal writes their resources there with server-side apply and reads
 * their status back.
 */
export class ManagementCluster {
  /** Undefined when no management cluster is configured. */
  static fromConfig(config: Config): ManagementCluster | undefined {
    const mc = config.getOptionalConfig('pipelinePortal.clusters.management');
    if (!mc) return undefined;
    return new ManagementCluster({
      url: mc.getString('url'),
      caData: mc.getOptionalString('caData'),
      token: mc.getString('token'),
      namespace: mc.getOptionalString('namespace') ?? 'pipeline-clusters',
      timeoutMs: mc.getOptionalNumber('requestTimeoutSeconds')
        ? mc.getNumber('requestTimeoutSeconds') * 1000
        : undefined,
    });
  }

  readonly namespace: string;
  private readonly api: KubernetesObjectApi;
  private readonly timeoutMs: number;

  constructor(options: ManagementClusterOptions) {
    this.namespace = options.namespace;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    const { KubeConfig, KubernetesObjectApi: ObjectApi } = clientNode();
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [
        {
          name: 'management',
          server: options.url,
          caData: options.caData,
          skipTLSVerify: false,
        },
      ],
      users: [{ name: 'portal', token: options.token }],
      contexts: [{ name: 'management', cluster: 'management', user: 'portal' }],
      currentContext: 'management',
    });
    // client-node builds a new https.Agent for every request, so every call
    // would pay a TLS handshake. This kubeconfig never changes: one keep-alive
    // agent serves every request to the management cluster.
    let agent: https.Agent | undefined;
    Object.assign(kc, {
      createAgent: (_cluster: unknown, agentOptions: https.AgentOptions) =>
        (agent ??= new https.Agent({ ...agentOptions, keepAlive: true })),
    });
    this.api = ObjectApi.makeApiClient(kc);
  }

  /** Server-side applies each object in order, as the portal's field manager. */
  async apply(
    objects: KubernetesObject[],
    limiter?: RateLimiter,
  ): Promise<void> {
    for (const object of objects) {
      await limiter?.wait();
      try {
        await this.timed(
          this.api.patch(
            object,
            undefined,
            undefined,
            FIELD_MANAGER,
            true,
            SERVER_SIDE_APPLY,
          ),
        );
      } catch (error) {
        throw toManagementApiError(error, `applying ${describe(object)}`);
      }
    }
  }

  /** Reads each object; a missing one is undefined. */
  async read(
    objects: Header[],
    limiter?: RateLimiter,
  ): Promise<Array<KubernetesObject | undefined>> {
    const result: Array<KubernetesObject | undefined> = [];
    for (const object of objects) {
      await limiter?.wait();
      try {
        result.push(
          await this.timed(
            this.api.read({
              apiVersion: object.apiVersion!,
              kind: object.kind!,
              metadata: {
                name: object.metadata!.name!,
                namespace: object.metadata?.namespace,
              },
            }),
          ),
        );
      } catch (error) {
        if (statusCodeOf(error) === 404) {
          result.push(undefined);
        } else {
          throw toManagementApiError(error, `reading ${describe(object)}`);
        }
      }
    }
    return result;
  }

  /** Deletes each object (background propagation); a missing one is fine. */
  async delete(objects: Header[], limiter?: RateLimiter): Promise<void> {
    for (const object of objects) {
      await limiter?.wait();
      try {
        await this.timed(
          this.api.delete(
            object as KubernetesObject,
            undefined,
            undefined,
            undefined,
            undefined,
            'Background',
          ),
        );
      } catch (error) {
        if (statusCodeOf(error) !== 404) {
          throw toManagementApiError(error, `deleting ${describe(object)}`);
        }
      }
    }
  }

  /**
   * The objects of each kind carrying the label selector, as headers. A kind
   * whose resource the server does not serve lists as none.
   */
  async listLabelled(
    kinds: Header[],
    labelSelector: string,
    limiter?: RateLimiter,
  ): Promise<Header[]> {
    const found: Header[] = [];
    for (const kind of kinds) {
      await limiter?.wait();
      try {
        const list = await this.timed(
          this.api.list(
            kind.apiVersion!,
            kind.kind!,
            kind.metadata?.namespace,
            undefined,
            undefined,
            undefined,
            undefined,
            labelSelector,
          ),
        );
        for (const item of list.items) {
          found.push({
            apiVersion: kind.apiVersion,
            kind: kind.kind,
            metadata: {
              name: item.metadata?.name,
              namespace: item.metadata?.namespace,
            },
          });
        }
      } catch (error) {
        if (statusCodeOf(error) !== 404) {
          throw toManagementApiError(error, `listing ${kind.kind}`);
        }
      }
    }
    return found;
  }

  async readSecret(
    namespace: string,
    name: string,
    limiter?: RateLimiter,
  ): Promise<V1Secret | undefined> {
    const [secret] = await this.read(
      [{ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace } }],
      limiter,
    );
    return secret as V1Secret | undefined;
  }

  /** A call that hangs counts as a transient failure after timeoutMs. */
  private async timed<T>(call: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new ManagementTimeoutError(this.timeoutMs)),
        this.timeoutMs,
      );
    });
    try {
      return await Promise.race([call, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Creates the portal's namespace if it is missing. */
  async ensureNamespace(limiter?: RateLimiter): Promise<void> {
    await this.apply(
      [
        {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: {
            name: this.namespace,
            labels: { 'app.kubernetes.io/managed-by': FIELD_MANAGER },
          },
        },
      ],
      limiter,
    );
  }
}

function describe(object: Header): string {
  const ns = object.metadata?.namespace ? `${object.metadata.namespace}/` : '';
  return `${object.kind} ${ns}${object.metadata?.name}`;
}
