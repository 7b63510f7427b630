import type { AuthService } from '@backstage/backend-plugin-api';
import type { TeamNamespaceSummary } from '@pipeline-portal/plugin-pipeline-clusters-common';
import { TransientError } from '../engine/errors';

/** Lists a cluster's team namespaces; the clusters client fits. */
export interface TeamNamespaceSource {
  listNamespaces(
    cluster: string,
    options: { token: string },
  ): Promise<TeamNamespaceSummary[]>;
}

/** How long a namespace found fit for an owner is trusted without asking. */
const DEFAULT_TTL_MS = 30_000;

const statusOf = (error: unknown) =>
  (error as { response?: { status?: number } }).response?.status;

const messageOf = (error: unknown) =>
  (error as { body?: { error?: { message?: string } } }).body?.error?.message ??
  String((error as Error)?.message ?? error);

/**
 * Whether the portal may create an owner's runs in a namespace. A run is
 * created with the portal's own credential for the cluster, so the target
 * must be a team namespace the portal created (its managed-by label and
 * owner annotation, as the clusters plugin reads them) for that very owner:
 * never a namespace an annotation merely names (`kube-system`, another
 * team's). The portal creates a team namespace only for an owner allowed to
 * use the cluster (the cluster's owners, or an admin for a shared cluster),
 * so a fit namespace also answers "may the owner use the cluster".
 */
export class NamespaceGuard {
  private readonly fit = new Map<string, number>();

  constructor(
    private readonly options: {
      auth: AuthService;
      source: TeamNamespaceSource;
      ttlMs?: number;
    },
  ) {}

  /**
   * Undefined when the owner's runs may go there, else why not. Throws
   * TransientError when the clusters plugin or the cluster cannot answer now.
   */
  async refusal(
    cluster: string,
    namespace: string,
    owner: string,
  ): Promise<string | undefined> {
    const key = `${cluster}\n${namespace}\n${owner}`;
    const at = this.fit.get(key);
    if (
      at !== undefined &&
      Date.now() - at < (this.options.ttlMs ?? DEFAULT_TTL_MS)
    ) {
      return undefined;
    }
    let found: TeamNamespaceSummary | undefined;
    try {
      const { token } = await this.options.auth.getPluginRequestToken({
        onBehalfOf: await this.options.auth.getOwnServiceCredentials(),
        targetPluginId: 'pipeline-clusters',
      });
      const teamNamespaces = await this.options.source.listNamespaces(cluster, {
        token,
      });
      found = teamNamespaces.find(n => n.name === namespace);
    } catch (error) {
      const status = statusOf(error);
      if (status === 404) {
        return `cluster ${cluster} is not known to the portal`;
      }
      if (status === 400 || status === 409) {
        return `cluster ${cluster}: ${messageOf(error)}`;
      }
      throw new TransientError(
        `checking namespace ${namespace} on cluster ${cluster}`,
        { cause: error },
      );
    }
    if (!found) {
      return `namespace ${namespace} on cluster ${cluster} is not a team namespace the portal created`;
    }
    if (found.owner?.toLowerCase() !== owner.toLowerCase()) {
      return `namespace ${namespace} on cluster ${cluster} is not a team namespace of ${owner}`;
    }
    if (found.phase && found.phase !== 'Active') {
      return `namespace ${namespace} on cluster ${cluster} is ${found.phase}`;
    }
    this.fit.set(key, Date.now());
    if (this.fit.size > 10_000) this.fit.delete(this.fit.keys().next().value!);
    return undefined;
  }
}
