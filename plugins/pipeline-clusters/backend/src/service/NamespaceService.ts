import { LoggerService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  TeamNamespaceSpec,
  TeamNamespaceSummary,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { clientNode } from '@pipeline-portal/backend-kit';
import type { ApplyTeamNamespaceResult } from '../namespaces';
import {
  DEFAULT_TEAM_NAMESPACE_SETTINGS,
  TeamNamespaceSettings,
} from '../namespaces/settings';
import { ClusterService } from './ClusterService';

/**
 * Team namespaces on the portal's clusters. The cluster's kubeconfig is read
 * and used here only: callers name the cluster, never hold its credentials.
 */
export class NamespaceService {
  constructor(
    private readonly clusters: ClusterService,
    private readonly options: {
      /** What config adds to every team namespace. */
      settings?: TeamNamespaceSettings;
      logger?: LoggerService;
    } = {},
  ) {}

  /**
   * Creates or updates a team's namespace on a Running cluster. An existing
   * namespace of another team, or one the portal did not create, is a 409
   * unless `takeOver.by` names the admin taking it over.
   */
  async create(
    clusterName: string,
    spec: TeamNamespaceSpec,
    takeOver?: { by: string },
  ): Promise<Omit<ApplyTeamNamespaceResult, 'tookOver'>> {
    const kc = await this.kubeConfigOf(clusterName);
    const { tookOver, ...result } = await namespaces().applyTeamNamespace(
      kc,
      spec,
      {
        settings: this.options.settings ?? DEFAULT_TEAM_NAMESPACE_SETTINGS,
        takeOver: !!takeOver,
      },
    );
    if (tookOver) {
      const was = tookOver.managed
        ? `the namespace of ${tookOver.owner ?? 'no owner'}`
        : 'a namespace the portal did not create';
      this.options.logger?.warn(
        `namespace ${spec.namespace} on cluster ${clusterName}: ${takeOver?.by} took over ${was} for ${spec.team}`,
      );
    }
    return result;
  }

  /**
   * One team namespace the portal created on a Running cluster: 404 when it
   * does not exist or is not the portal's.
   */
  async get(
    clusterName: string,
    namespace: string,
  ): Promise<TeamNamespaceSummary> {
    const kc = await this.kubeConfigOf(clusterName);
    return namespaces().readTeamNamespace(kc, namespace, {
      cluster: clusterName,
    });
  }

  /** The team namespaces the portal created on a Running cluster, by name. */
  async list(clusterName: string): Promise<TeamNamespaceSummary[]> {
    const kc = await this.kubeConfigOf(clusterName);
    return namespaces().listTeamNamespaces(kc, { cluster: clusterName });
  }

  /** The cluster's kubeconfig, once it runs: 404 unknown, 400 not running. */
  private async kubeConfigOf(clusterName: string) {
    const cluster = await this.clusters.get(clusterName);
    if (cluster.phase !== 'Running' && cluster.phase !== 'Updating') {
      throw new InputError(
        `cluster: "${clusterName}" is ${cluster.phase}, not Running`,
      );
    }
    const kubeconfig = await this.clusters.kubeconfig(clusterName);
    const kc = new (clientNode().KubeConfig)();
    kc.loadFromString(kubeconfig);
    return kc;
  }
}

/** Loaded on first use, with the Kubernetes client it needs. */
function namespaces() {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('../namespaces') as typeof import('../namespaces');
}
