import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import type { CustomObjectsApi } from '@kubernetes/client-node';
import {
  clientNode,
  kubernetesStatusOf,
  toKubernetesApiError,
} from '@pipeline-portal/backend-kit';
import {
  ClusterAccess,
  PipelineClustersClient,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import https from 'node:https';
import { TransientError } from '../engine/errors';
import type { RunTarget } from './RunTarget';
import type { TaskInstaller } from './TaskInstaller';

export type { RunTarget } from './RunTarget';

/** How long a cluster's access (server, CA, token) is reused. */
const ACCESS_TTL_MS = 5 * 60_000;
/** Longest wait for the API server to answer one create. */
const CALL_TIMEOUT_MS = 15_000;

/** Reads what `getClusterAccess` needs; the clusters client fits. */
export interface ClusterAccessSource {
  getClusterAccess(
    name: string,
    options: { token: string },
  ): Promise<ClusterAccess>;
}

/**
 * Creates PipelineRuns on the components' runtime clusters, with the
 * credentials the clusters plugin hands to the plugin's service identity.
 * TLS is always verified; one keep-alive agent per cluster.
 */
export class RuntimeClusters {
  private readonly source: ClusterAccessSource;
  private readonly apis = new Map<
    string,
    { at: number; api: Promise<CustomObjectsApi> }
  >();
  /** Requests made, for tests and benchmarks. */
  requestCount = 0;

  constructor(
    private readonly options: {
      auth: AuthService;
      discovery: DiscoveryService;
      source?: ClusterAccessSource;
      /** Installs the curated Tasks into a namespace before its first run. */
      tasks?: TaskInstaller;
    },
  ) {
    this.source =
      options.source ??
      new PipelineClustersClient({ discoveryApi: options.discovery });
  }

  /**
   * Creates the run; `exists` when a run of that name is there already (a
   * retried delivery: the deterministic name makes it the same run).
   */
  async createRun(
    target: RunTarget,
    run: Record<string, any>,
  ): Promise<'created' | 'exists'> {
    const api = await this.api(target.cluster);
    await this.options.tasks?.ensure(target, api);
    this.requestCount++;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        api.createNamespacedCustomObject({
          group: 'tekton.dev',
          version: 'v1',
          namespace: target.namespace,
          plural: 'pipelineruns',
          body: run,
        }),
        // A hung API server must not hold the delivery past its lease.
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer within ${CALL_TIMEOUT_MS} ms`)),
            CALL_TIMEOUT_MS,
          );
        }),
      ]);
      return 'created';
    } catch (error) {
      if (kubernetesStatusOf(error) === 409) return 'exists';
      const what = `creating PipelineRun ${target.namespace}/${run.metadata?.name} on ${target.cluster}`;
      const failure = toKubernetesApiError(error, what);
      if (failure.transient) {
        this.apis.delete(target.cluster);
        throw new TransientError(`${what}: cluster unavailable`, {
          cause: error,
        });
      }
      throw failure;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The Tekton-capable client of a cluster (the watcher and housekeeping use it). */
  customObjects(cluster: string): Promise<CustomObjectsApi> {
    return this.api(cluster);
  }

  private api(cluster: string): Promise<CustomObjectsApi> {
    const known = this.apis.get(cluster);
    if (known && Date.now() - known.at < ACCESS_TTL_MS) return known.api;
    const api = this.connect(cluster);
    this.apis.set(cluster, { at: Date.now(), api });
    api.catch(() => this.apis.delete(cluster));
    return api;
  }

  private async connect(cluster: string): Promise<CustomObjectsApi> {
    let access: ClusterAccess;
    try {
      const { token } = await this.options.auth.getPluginRequestToken({
        onBehalfOf: await this.options.auth.getOwnServiceCredentials(),
        targetPluginId: 'pipeline-clusters',
      });
      access = await this.source.getClusterAccess(cluster, { token });
    } catch (error) {
      const status = (error as { response?: { status?: number } }).response
        ?.status;
      if (status === 404) {
        throw new Error(
          `runtime cluster "${cluster}" is not known to the portal`,
        );
      }
      throw new TransientError(`reading access to cluster "${cluster}"`, {
        cause: error,
      });
    }
    const k8s = clientNode();
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [
        {
          name: cluster,
          server: access.apiServer,
          caData: access.caData,
          skipTLSVerify: false,
        },
      ],
      users: [
        {
          name: 'portal',
          token: access.token,
          certData: access.clientCertificateData,
          keyData: access.clientKeyData,
        },
      ],
      contexts: [{ name: 'c', cluster, user: 'portal' }],
      currentContext: 'c',
    });
    let agent: https.Agent | undefined;
    Object.assign(kc, {
      createAgent: (_c: unknown, agentOptions: https.AgentOptions) =>
        (agent ??= new https.Agent({ ...agentOptions, keepAlive: true })),
    });
    return kc.makeApiClient(k8s.CustomObjectsApi);
  }
}
