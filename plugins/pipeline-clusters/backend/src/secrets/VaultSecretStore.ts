import { LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { ConflictError } from '@backstage/errors';
import { mapWithConcurrency } from '@pipeline-portal/backend-kit';
import {
  CredentialSummary,
  SecretKind,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import {
  normalizeKinds,
  normalizeOwner,
  normalizeRef,
  SECRET_KINDS,
  NewSecret,
  SecretRecord,
  SecretRef,
  SecretStore,
  validateSecret,
} from './SecretStore';
import {
  describeFailure,
  failureOf,
  VaultClient,
  VaultNotFound,
} from './VaultClient';
import { readVaultConfig, VaultSecretStoreOptions } from './vaultConfig';

export { readVaultConfig, VAULT_CONFIG } from './vaultConfig';
export type { VaultAuth, VaultSecretStoreOptions } from './vaultConfig';

/** Vault requests in flight while listing. */
const LIST_CONCURRENCY = 8;

// Owners are `group:<namespace>/<name>` whose parts never contain '~', so
// this is reversible and keeps one path segment per owner.
const ownerSegment = (owner: string) => owner.replace(/[:/]/g, '~');
const ownerFromSegment = (segment: string) => {
  const [kind, namespace, name] = segment.split('~');
  return `${kind}:${namespace}/${name}`;
};

/** What the store writes as the KV v2 data of one secret. */
interface StoredSecret {
  kind: SecretKind;
  owner: string;
  name: string;
  createdAt: string;
  value: Record<string, string>;
}

/**
 * SecretStore on HashiCorp Vault's KV v2 engine. Each secret is one KV entry
 * at `<mount>/data/<pathPrefix>/<owner>/<name>` holding kind, owner, name,
 * createdAt and value in one write, so a check-and-set covers them all;
 * kind and owner are mirrored into custom_metadata so `list` never reads
 * values.
 */
export class VaultSecretStore implements SecretStore {
  private constructor(
    private readonly options: VaultSecretStoreOptions,
    private readonly vault: VaultClient,
  ) {}

  static async create(options: {
    config: Config;
    logger?: LoggerService;
  }): Promise<VaultSecretStore> {
    return VaultSecretStore.fromOptions(
      readVaultConfig(options.config),
      options.logger,
    );
  }

  static async fromOptions(
    options: VaultSecretStoreOptions,
    logger?: LoggerService,
  ): Promise<VaultSecretStore> {
    const vault = new VaultClient(options, logger);
    try {
      await vault.authenticate();
    } catch (error) {
      // Vault may come up after the portal: requests authenticate again.
      logger?.warn(
        `Vault authentication failed at start-up (${describeFailure(
          failureOf(error),
        )}); retrying on first use`,
      );
    }
    return new VaultSecretStore(options, vault);
  }

  async put(
    secret: NewSecret,
    options?: { overwrite?: boolean },
  ): Promise<SecretRecord> {
    const { owner, name, kind, value } = validateSecret(secret);
    const path = this.path(owner, name);
    let cas = 0;
    let createdAt = new Date().toISOString();
    if (options?.overwrite) {
      const current = await this.readData(path);
      if (current) {
        // A soft-deleted latest version (no data) is replaced as well.
        cas = current.version;
        createdAt = current.data?.createdAt ?? createdAt;
      }
    }
    const data: StoredSecret = { kind, owner, name, createdAt, value };
    try {
      await this.vault.call(`write secret ${name} of ${owner}`, c =>
        c.write(`${this.options.mount}/data/${path}`, {
          data,
          options: { cas },
        }),
      );
    } catch (error) {
      if (error instanceof ConflictError) {
        throw new ConflictError(
          options?.overwrite
            ? `secret ${name} of ${owner} was changed concurrently; retry`
            : `secret ${name} of ${owner} already exists`,
        );
      }
      throw error;
    }
    await this.vault.call(`write metadata of secret ${name} of ${owner}`, c =>
      c.write(`${this.options.mount}/metadata/${path}`, {
        custom_metadata: { kind, owner, name },
      }),
    );
    return { owner, name, kind, value, createdAt };
  }

  async get(ref: SecretRef): Promise<SecretRecord | undefined> {
    const { owner, name } = normalizeRef(ref);
    const current = await this.readData(this.path(owner, name));
    if (!current?.data) return undefined;
    const { kind, createdAt, value } = current.data;
    return { owner, name, kind, value, createdAt };
  }

  async list(options?: {
    owner?: string;
    kinds?: SecretKind[];
  }): Promise<CredentialSummary[]> {
    const kinds = normalizeKinds(options?.kinds);
    const owners =
      options?.owner !== undefined
        ? [ownerSegment(normalizeOwner(options.owner))]
        : (await this.listKeys(this.options.pathPrefix))
            .filter(k => k.endsWith('/'))
            .map(k => k.slice(0, -1));
    const perOwner = await mapWithConcurrency(
      owners,
      LIST_CONCURRENCY,
      async segment =>
        (await this.listKeys(`${this.options.pathPrefix}/${segment}`))
          .filter(k => !k.endsWith('/'))
          .map(name => ({ owner: ownerFromSegment(segment), name })),
    );
    const summaries = await mapWithConcurrency(
      perOwner.flat(),
      LIST_CONCURRENCY,
      ({ owner, name }) => this.summary(owner, name),
    );
    return summaries
      .filter((s): s is CredentialSummary => !!s)
      .filter(s => !kinds || kinds.includes(s.kind))
      .sort((a, b) =>
        a.owner === b.owner
          ? a.name.localeCompare(b.name)
          : a.owner.localeCompare(b.owner),
      );
  }

  async delete(
    ref: SecretRef,
    options?: { kinds?: SecretKind[] },
  ): Promise<boolean> {
    const { owner, name } = normalizeRef(ref);
    const kinds = normalizeKinds(options?.kinds);
    const path = this.path(owner, name);
    if ((await this.currentVersion(path)) === undefined) return false;
    if (kinds) {
      // KV v2 has no conditional delete: the kind is read first. Secrets of
      // other kinds live under names cloud credentials may not take.
      const kind = (await this.readData(path))?.data?.kind;
      if (!kind || !kinds.includes(kind)) return false;
    }
    // Deleting the metadata removes every version, not just the latest.
    await this.vault.call(`delete secret ${name} of ${owner}`, c =>
      c.delete(`${this.options.mount}/metadata/${path}`),
    );
    return true;
  }

  async close(): Promise<void> {
    await this.vault.close();
  }

  private path(owner: string, name: string) {
    return `${this.options.pathPrefix}/${ownerSegment(owner)}/${name}`;
  }

  private async summary(
    owner: string,
    name: string,
  ): Promise<CredentialSummary | undefined> {
    const path = this.path(owner, name);
    const meta = await this.vault
      .call(`read metadata of ${name} of ${owner}`, c =>
        c.read(`${this.options.mount}/metadata/${path}`),
      )
      .catch(error => {
        if (error instanceof VaultNotFound) return undefined;
        throw error;
      });
    if (!meta?.data?.current_version) return undefined;
    let kind = meta.data.custom_metadata?.kind as SecretKind | undefined;
    if (!kind || !SECRET_KINDS.includes(kind)) {
      // The metadata mirror is written after the data: fall back to the data.
      kind = (await this.readData(path))?.data?.kind;
      if (!kind) return undefined;
    }
    return { owner, name, kind, createdAt: meta.data.created_time };
  }

  /**
   * The current version: `undefined` when absent, `null` data when the
   * latest version is soft-deleted (Vault answers 404 with its metadata).
   */
  private async readData(
    path: string,
  ): Promise<{ version: number; data: StoredSecret | null } | undefined> {
    try {
      const res = await this.vault.call(`read secret at ${path}`, c =>
        c.read(`${this.options.mount}/data/${path}`),
      );
      return { version: res.data.metadata.version, data: res.data.data };
    } catch (error) {
      if (error instanceof VaultNotFound) {
        const version = error.body?.data?.metadata?.version;
        return typeof version === 'number'
          ? { version, data: null }
          : undefined;
      }
      throw error;
    }
  }

  private async currentVersion(path: string): Promise<number | undefined> {
    try {
      const res = await this.vault.call(`read metadata at ${path}`, c =>
        c.read(`${this.options.mount}/metadata/${path}`),
      );
      return res.data.current_version;
    } catch (error) {
      if (error instanceof VaultNotFound) return undefined;
      throw error;
    }
  }

  private async listKeys(path: string): Promise<string[]> {
    try {
      const res = await this.vault.call(`list ${path}`, c =>
        c.list(`${this.options.mount}/metadata/${path}`),
      );
      return res.data.keys ?? [];
    } catch (error) {
      if (error instanceof VaultNotFound) return [];
      throw error;
    }
  }
}
