import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  CLOUD_CREDENTIAL_KINDS,
  CreateCredentialRequest,
  CredentialSummary,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { SecretStore } from '../secrets/SecretStore';
import { ClusterStore } from '../store/ClusterStore';
import { isManagedSecretName } from './kubeconfigSecrets';

/**
 * The cloud credentials of owner groups, in the secret store. Summaries
 * for users; values only to other backend plugins (the router says who).
 */
export class CredentialService {
  constructor(
    private readonly options: { secrets: SecretStore; store: ClusterStore },
  ) {}

  listCredentials(owner?: string): Promise<CredentialSummary[]> {
    return this.options.secrets.list({
      owner,
      kinds: [...CLOUD_CREDENTIAL_KINDS],
    });
  }

  /** Refused (400) under a name the portal keeps for a cluster's kubeconfig. */
  async createCredential(
    request: CreateCredentialRequest,
  ): Promise<CredentialSummary> {
    if (isManagedSecretName(request.name)) {
      throw new InputError(
        `name: "${request.name}" is reserved: the portal keeps cluster kubeconfigs under cluster-<cluster>-kubeconfig`,
      );
    }
    const record = await this.options.secrets.put({
      owner: request.owner,
      name: request.name,
      kind: request.kind,
      value: request.value as Record<string, string>,
    });
    return {
      name: record.name,
      owner: record.owner,
      kind: record.kind,
      createdAt: record.createdAt,
    };
  }

  /**
   * A cloud credential's value, for other backend plugins only (the router
   * refuses users). Kubeconfigs are not credentials: 404 for them too.
   */
  async credentialValue(ref: {
    owner: string;
    name: string;
  }): Promise<Record<string, string>> {
    const secret = await this.options.secrets.get(ref);
    if (!secret || !CLOUD_CREDENTIAL_KINDS.includes(secret.kind as any)) {
      throw new NotFoundError(
        `credential "${ref.name}" of ${ref.owner} not found`,
      );
    }
    return secret.value;
  }

  /**
   * Deletes a cloud credential, and nothing else: a secret of another kind
   * (a cluster's kubeconfig, kept by the portal) under the same owner and
   * name is left alone with a 409, whatever the caller may act for. Refused
   * (409) while a live cluster uses the credential.
   */
  async deleteCredential(ref: { owner: string; name: string }): Promise<void> {
    const user = await this.options.store.findUsingCredential(
      ref.owner,
      ref.name,
    );
    if (user) {
      throw new ConflictError(
        `credential "${ref.name}" is used by cluster "${user}"`,
      );
    }
    const deleted = await this.options.secrets.delete(ref, {
      kinds: [...CLOUD_CREDENTIAL_KINDS],
    });
    if (deleted) return;
    // Summaries only: what is there is told without decrypting it.
    const kept = await this.options.secrets.list({ owner: ref.owner });
    if (kept.some(secret => secret.name === ref.name)) {
      throw new ConflictError(
        `"${ref.name}" of ${ref.owner} is not a cloud credential but a secret the portal manages for a cluster (its kubeconfig): it is removed with the cluster, never through /credentials`,
      );
    }
    throw new NotFoundError(
      `credential "${ref.name}" of ${ref.owner} not found`,
    );
  }
}
