import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import {
  ClusterAccess,
  ClusterHistoryEntry,
  ClusterSpec,
  ClustersSettings,
  CREDENTIAL_KIND_OF,
  describePath,
  ImportClusterRequest,
  nodePoolIssuesFor,
  PatchClusterRequest,
  ProvisionedDistribution,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { isDeepStrictEqual } from 'node:util';
import {
  acceptKubeconfig,
  KubeconfigPolicy,
} from '../kubeconfig/acceptKubeconfig';
import { ManagementCluster } from '../management/ManagementCluster';
import { SecretStore } from '../secrets/SecretStore';
import {
  ClusterFilter,
  ClusterRecord,
  ClusterStore,
} from '../store/ClusterStore';
import {
  accessFromKubeconfig,
  buildKubeconfig,
  kubeconfigSecretName,
} from './kubeconfigSecrets';

export interface ClusterServiceOptions {
  store: ClusterStore;
  secrets: SecretStore;
  /** Undefined when no management cluster is configured: imports only. */
  management?: ManagementCluster;
  /** Kubernetes minor versions offered per distribution. */
  offeredVersions: Record<ProvisionedDistribution, readonly string[]>;
  importPolicy: KubeconfigPolicy;
  logger: LoggerService;
}

const NO_MANAGEMENT_CLUSTER =
  'No management cluster is configured (pipelinePortal.clusters.management): the portal can import clusters but not provision them';

/**
 * The clusters domain: lifecycle requests, idempotency and the rules that
 * need config or the secret store. Authorization is the router's job; the
 * reconciler advances what this records.
 */
export class ClusterService {
  constructor(private readonly options: ClusterServiceOptions) {}

  /** What this portal offers, for forms and the UI. */
  settings(): ClustersSettings {
    return {
      provisioning: this.options.management
        ? { available: true }
        : { available: false, message: NO_MANAGEMENT_CLUSTER },
      offeredVersions: Object.fromEntries(
        Object.entries(this.options.offeredVersions).map(([d, v]) => [
          d,
          [...v],
        ]),
      ),
    };
  }

  async get(name: string): Promise<ClusterRecord> {
    const record = await this.options.store.get(name);
    if (!record || record.phase === 'Deleted') {
      throw new NotFoundError(`cluster "${name}" not found`);
    }
    return record;
  }

  list(filter: ClusterFilter, page: { limit: number; cursor?: string }) {
    return this.options.store.list(filter, page);
  }

  async history(name: string): Promise<ClusterHistoryEntry[]> {
    await this.get(name);
    return this.options.store.history(name);
  }

  /**
   * Records a cluster to provision; the reconciler writes it to the engine.
   * The same spec again returns the same cluster (`created: false`).
   */
  async create(
    spec: ClusterSpec,
  ): Promise<{ cluster: ClusterRecord; created: boolean }> {
    const existing = await this.options.store.get(spec.name);
    if (existing && existing.phase !== 'Deleted') {
      if (
        existing.owner === spec.owner &&
        isDeepStrictEqual(existing.spec, spec)
      ) {
        return { cluster: existing, created: false };
      }
      throw new ConflictError(
        existing.owner === spec.owner
          ? `cluster "${spec.name}" already exists with a different spec: change it with PATCH`
          : `cluster name "${spec.name}" is taken`,
      );
    }
    if (!this.options.management) {
      throw new ServiceUnavailableError(NO_MANAGEMENT_CLUSTER);
    }
    this.assertVersionOffered(spec.distribution, spec.kubernetesVersion);
    assertNodePoolsFit(spec.distribution, spec.nodePools);
    await this.assertCredential(spec);
    try {
      const cluster = await this.options.store.insert({
        name: spec.name,
        owner: spec.owner,
        distribution: spec.distribution,
        spec,
        phase: 'Pending',
        message: 'waiting for the reconciler',
      });
      return { cluster, created: true };
    } catch (error) {
      // Lost a race with an identical request: answer as the winner did.
      const winner = await this.options.store.get(spec.name);
      if (
        winner?.owner === spec.owner &&
        isDeepStrictEqual(winner.spec, spec)
      ) {
        return { cluster: winner, created: false };
      }
      throw error;
    }
  }

  /**
   * Imports an existing cluster by kubeconfig: refused unless it passes every
   * check of acceptKubeconfig, then stored only in the secret store.
   */
  async importCluster(
    request: ImportClusterRequest,
  ): Promise<{ cluster: ClusterRecord; created: boolean }> {
    const existing = await this.options.store.get(request.name);
    if (existing && existing.phase !== 'Deleted') {
      if (
        existing.owner === request.owner &&
        existing.distribution === 'import'
      ) {
        return { cluster: existing, created: false };
      }
      throw new ConflictError(`cluster name "${request.name}" is taken`);
    }
    const accepted = await acceptKubeconfig(
      request.kubeconfig,
      this.options.importPolicy,
    );
    await this.options.secrets.put(
      {
        owner: request.owner,
        name: kubeconfigSecretName(request.name),
        kind: 'kubeconfig',
        value: {
          kubeconfig: buildKubeconfig({
            name: request.name,
            server: accepted.server,
            caData: accepted.caData,
            token: accepted.user.token,
            clientCertificateData: accepted.user.clientCertificateData,
            clientKeyData: accepted.user.clientKeyData,
          }),
        },
      },
      { overwrite: true },
    );
    const cluster = await this.options.store.insert({
      name: request.name,
      owner: request.owner,
      distribution: 'import',
      phase: 'Running',
      message: `imported; API server answered ${accepted.version.gitVersion}`,
      observed: {
        apiServer: accepted.server,
        kubernetesVersion:
          `${accepted.version.major}.${accepted.version.minor}`.replace(
            /\+$/,
            '',
          ),
      },
    });
    return { cluster, created: true };
  }

  /** Upgrades the version or changes node pools; the reconciler applies it. */
  async update(
    name: string,
    patch: PatchClusterRequest,
  ): Promise<ClusterRecord> {
    const current = await this.get(name);
    if (!current.spec) {
      throw new InputError(
        'an imported cluster is managed where it runs: the portal cannot scale or upgrade it',
      );
    }
    if (current.phase === 'Deleting') {
      throw new ConflictError(`cluster "${name}" is being deleted`);
    }
    if (patch.revision !== current.revision) {
      throw new ConflictError(
        `cluster "${name}" changed meanwhile (revision ${current.revision}, not ${patch.revision}); read it again and retry`,
      );
    }
    const spec: ClusterSpec = { ...current.spec };
    if (patch.kubernetesVersion !== undefined) {
      this.assertVersionOffered(spec.distribution, patch.kubernetesVersion);
      if (compareMinor(patch.kubernetesVersion, spec.kubernetesVersion) < 0) {
        throw new InputError(
          `kubernetesVersion: ${patch.kubernetesVersion} is older than ${spec.kubernetesVersion}; Kubernetes control planes cannot be downgraded`,
        );
      }
      spec.kubernetesVersion = patch.kubernetesVersion;
    }
    if (patch.nodePools !== undefined) {
      assertNodePoolsFit(spec.distribution, patch.nodePools);
      spec.nodePools = patch.nodePools;
    }
    if (isDeepStrictEqual(spec, current.spec)) {
      return current;
    }
    return this.options.store.update(
      name,
      current.revision,
      {
        spec,
        phase: current.phase === 'Running' ? 'Updating' : current.phase,
        message: 'change recorded; waiting for the reconciler',
        // Due now: a Running cluster is otherwise left alone until its resync.
        reconcileAfter: 0,
      },
      { bumpRevision: true },
    );
  }

  /** Starts deletion; imported clusters are only forgotten. */
  async delete(name: string): Promise<ClusterRecord> {
    const current = await this.get(name);
    if (current.phase === 'Deleting') {
      return current;
    }
    if (current.distribution === 'import') {
      await this.options.secrets.delete({
        owner: current.owner,
        name: kubeconfigSecretName(name),
      });
      return this.options.store.update(
        name,
        current.revision,
        {
          phase: 'Deleted',
          message: 'removed from the portal; the cluster itself is untouched',
        },
        { bumpRevision: true },
      );
    }
    return this.options.store.update(
      name,
      current.revision,
      { phase: 'Deleting', message: 'deletion requested', reconcileAfter: 0 },
      { bumpRevision: true },
    );
  }

  /** The stored kubeconfig; 409 until the engine has written one. */
  async kubeconfig(name: string): Promise<string> {
    const cluster = await this.get(name);
    const secret = await this.options.secrets.get({
      owner: cluster.owner,
      name: kubeconfigSecretName(name),
    });
    if (!secret) {
      throw new ConflictError(
        `cluster "${name}" has no kubeconfig yet (phase ${cluster.phase})`,
      );
    }
    return secret.value.kubeconfig;
  }

  /**
   * How to reach the cluster's API server, for other backend plugins: the
   * cluster and user of the kubeconfig's current context (else its first).
   */
  async access(name: string): Promise<ClusterAccess> {
    return accessFromKubeconfig(name, await this.kubeconfig(name));
  }

  private assertVersionOffered(
    distribution: ProvisionedDistribution,
    version: string,
  ) {
    const offered = this.options.offeredVersions[distribution];
    if (!offered.includes(version)) {
      throw new InputError(
        `kubernetesVersion: ${version} is not offered for ${distribution} (offered: ${offered.join(
          ', ',
        )})`,
      );
    }
  }

  private async assertCredential(spec: ClusterSpec) {
    const credential = await this.options.secrets.get({
      owner: spec.owner,
      name: spec.credential,
    });
    const kind = CREDENTIAL_KIND_OF[spec.distribution];
    if (!credential) {
      throw new InputError(
        `credential: ${spec.owner} has no credential named "${spec.credential}"`,
      );
    }
    if (credential.kind !== kind) {
      throw new InputError(
        `credential: "${spec.credential}" is a ${credential.kind} credential; ${spec.distribution} needs ${kind}`,
      );
    }
  }
}

/**
 * Refuses node pools the distribution's engine would refuse (its taint
 * rule), naming each field: the management cluster is never asked.
 */
function assertNodePoolsFit(
  distribution: ProvisionedDistribution,
  nodePools: ClusterSpec['nodePools'],
) {
  const issues = nodePoolIssuesFor(distribution, nodePools);
  if (issues.length) {
    throw new InputError(
      issues
        .map(issue => `${describePath(issue.path)}: ${issue.message}`)
        .join('; '),
    );
  }
}

function compareMinor(a: string, b: string): number {
  const [aMajor, aMinor] = a.split('.').map(Number);
  const [bMajor, bMinor] = b.split('.').map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}
