import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  CLOUD_CREDENTIAL_KINDS,
  CreateCredentialRequest,
  CredentialSummary,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { SecretStore } from '../secrets/SecretStore';
import { ClusterStore } from '../store/ClusterStore';

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

  async createCredential(
    request: CreateCredentialRequest,
  ): Promise<CredentialSummary> {
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

  /** Refused while a live cluster uses the credential. */
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
    if (!(await this.options.secrets.delete(ref))) {
      throw new NotFoundError(
        `credential "${ref.name}" of ${ref.owner} not found`,
      );
    }
  }
}
