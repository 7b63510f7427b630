import { LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { ConflictError, ServiceUnavailableError } from '@backstage/errors';
import {
  CredentialSummary,
  SecretKind,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { readFile } from 'node:fs/promises';
import nodeVault from 'node-vault';
import pLimit from 'p-limit';
import {
  normalizeKinds,
  normalizeOwner,
  normalizeRef,
  SECRET_KINDS,
  SecretRecord,
  SecretRef,
  SecretStore,
  validateSecret,
} from './SecretStore';

export const VAULT_CONFIG = 'pipelinePortal.clusters.secrets.vault';

/** How the store authenticates to Vault. */
export type VaultAuth =
  | { method: 'token'; token: string }
  | {
      method: 'kubernetes';
      role: string;
      /** Service account token file, re-read at every login (it rotates). */
      jwtPath: string;
      mountPath: string;
    }
  | { method: 'approle'; roleId: string; secretId: string; mountPath: string };

export interface VaultSecretStoreOptions {
  /** e.g. `https://vault.example.com:8200` */
  endpoint: string;
  /** KV v2 mount (default `secret`). */
  mount: string;
  /** Path below the mount (default `pipeline-portal/credentials`). */
  pathPrefix: string;
  /** Vault Enterprise namespace. */
  namespace?: string;
  /** PEM CA bundle to trust for Vault's TLS certificate. */
  caCert?: string;
  requestTimeoutMs: number;
  auth: VaultAuth;
}

const DEFAULT_JWT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** Reads `pipelinePortal.clusters.secrets.vault`, naming the key at fault. */
export function readVaultConfig(root: Config): VaultSecretStoreOptions {
  const config = root.getOptionalConfig(VAULT_CONFIG);
  if (!config) {
    throw new Error(
      `${VAULT_CONFIG} is required when pipelinePortal.clusters.secrets.store is 'vault'`,
    );
  }
  const endpoint = config.getOptionalString('endpoint');
  if (!endpoint || !/^https?:\/\/[^/\s]+/.test(endpoint)) {
    throw new Error(
      `${VAULT_CONFIG}.endpoint must be Vault's address, e.g. https://vault.example.com:8200`,
    );
  }
  const segment = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;
  const mount = config.getOptionalString('mount') ?? 'secret';
  if (!segment.test(mount)) {
    throw new Error(`${VAULT_CONFIG}.mount must be a path such as 'secret'`);
  }
  const pathPrefix =
    config.getOptionalString('pathPrefix') ?? 'pipeline-portal/credentials';
  if (!segment.test(pathPrefix)) {
    throw new Error(
      `${VAULT_CONFIG}.pathPrefix must be a path such as 'pipeline-portal/credentials' (no leading or trailing '/')`,
    );
  }
  const requestTimeoutMs =
    config.getOptionalNumber('requestTimeoutMs') ?? 10_000;
  if (!(requestTimeoutMs > 0)) {
    throw new Error(`${VAULT_CONFIG}.requestTimeoutMs must be positive`);
  }

  const auth = config.getOptionalConfig('auth');
  const methods = ['token', 'kubernetes', 'approle'].filter(m => auth?.has(m));
  if (methods.length !== 1) {
    throw new Error(
      `${VAULT_CONFIG}.auth must set exactly one of token, kubernetes or approle${
        methods.length ? ` (found ${methods.join(', ')})` : ''
      }`,
    );
  }
  const required = (c: Config, key: string, at: string) => {
    const value = c.getOptionalString(key);
    if (!value)
      throw new Error(`${VAULT_CONFIG}.auth.${at}.${key} is required`);
    return value;
  };
  let vaultAuth: VaultAuth;
  if (methods[0] === 'token') {
    const token = auth!.getOptionalString('token');
    if (!token) throw new Error(`${VAULT_CONFIG}.auth.token must not be empty`);
    vaultAuth = { method: 'token', token };
  } else if (methods[0] === 'kubernetes') {
    const k = auth!.getConfig('kubernetes');
    vaultAuth = {
      method: 'kubernetes',
      role: required(k, 'role', 'kubernetes'),
      jwtPath: k.getOptionalString('jwtPath') ?? DEFAULT_JWT_PATH,
      mountPath: k.getOptionalString('mountPath') ?? 'kubernetes',
    };
  } else {
    const a = auth!.getConfig('approle');
    vaultAuth = {
      method: 'approle',
      roleId: required(a, 'roleId', 'approle'),
      secretId: required(a, 'secretId', 'approle'),
      mountPath: a.getOptionalString('mountPath') ?? 'approle',
    };
  }
  return {
    endpoint,
    mount,
    pathPrefix,
    namespace: config.getOptionalString('namespace'),
    caCert: config.getOptionalString('caCert'),
    requestTimeoutMs,
    auth: vaultAuth,
  };
}

interface VaultFailure {
  status?: number;
  code?: string;
  /** Vault's first error message. */
  vaultMessage?: string;
  body?: any;
}

function failureOf(error: unknown): VaultFailure {
  const e = error as any;
  return {
    status: e?.response?.statusCode,
    code: typeof e?.code === 'string' ? e.code : undefined,
    vaultMessage: Array.isArray(e?.response?.body?.errors)
      ? String(e.response.body.errors[0] ?? '').slice(0, 200)
      : undefined,
    body: e?.response?.body,
  };
}

const CAS_MISMATCH = /check-and-set parameter did not match/;

/** Vault's 404, turned into `undefined` or `false` by callers; never escapes. */
class VaultNotFound extends Error {
  constructor(readonly body: any) {
    super('not found');
  }
}

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
  private readonly client: ReturnType<typeof nodeVault>;
  private renewTimer?: NodeJS.Timeout;
  private login?: Promise<void>;
  private closed = false;

  private constructor(
    private readonly options: VaultSecretStoreOptions,
    private readonly logger?: LoggerService,
  ) {
    this.client = nodeVault({
      endpoint: options.endpoint,
      apiVersion: 'v1',
      namespace: options.namespace,
      token: options.auth.method === 'token' ? options.auth.token : undefined,
      // node-vault's debug output includes request bodies: keep it silent.
      debug: () => {},
      requestOptions: {
        timeout: options.requestTimeoutMs,
        ...(options.caCert ? { ca: options.caCert } : {}),
      },
    });
  }

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
    const store = new VaultSecretStore(options, logger);
    try {
      await store.authenticate();
    } catch (error) {
      // Vault may come up after the portal: requests authenticate again.
      logger?.warn(
        `Vault authentication failed at start-up (${store.describe(
          failureOf(error),
        )}); retrying on first use`,
      );
    }
    return store;
  }

  async put(
    secret: {
      owner: string;
      name: string;
      kind: SecretKind;
      value: Record<string, string>;
    },
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
      await this.call(`write secret ${name} of ${owner}`, () =>
        this.client.write(`${this.options.mount}/data/${path}`, {
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
    await this.call(`write metadata of secret ${name} of ${owner}`, () =>
      this.client.write(`${this.options.mount}/metadata/${path}`, {
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
    const limit = pLimit(8);
    const perOwner = await Promise.all(
      owners.map(async segment => {
        const names = (
          await this.listKeys(`${this.options.pathPrefix}/${segment}`)
        ).filter(k => !k.endsWith('/'));
        return Promise.all(
          names.map(name =>
            limit(() => this.summary(ownerFromSegment(segment), name)),
          ),
        );
      }),
    );
    return perOwner
      .flat()
      .filter((s): s is CredentialSummary => !!s)
      .filter(s => !kinds || kinds.includes(s.kind))
      .sort((a, b) =>
        a.owner === b.owner
          ? a.name.localeCompare(b.name)
          : a.owner.localeCompare(b.owner),
      );
  }

  async delete(ref: SecretRef): Promise<boolean> {
    const { owner, name } = normalizeRef(ref);
    const path = this.path(owner, name);
    if ((await this.currentVersion(path)) === undefined) return false;
    // Deleting the metadata removes every version, not just the latest.
    await this.call(`delete secret ${name} of ${owner}`, () =>
      this.client.delete(`${this.options.mount}/metadata/${path}`),
    );
    return true;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.renewTimer) clearTimeout(this.renewTimer);
    this.renewTimer = undefined;
  }

  private path(owner: string, name: string) {
    return `${this.options.pathPrefix}/${ownerSegment(owner)}/${name}`;
  }

  private async summary(
    owner: string,
    name: string,
  ): Promise<CredentialSummary | undefined> {
    const path = this.path(owner, name);
    const meta = await this.call(`read metadata of ${name} of ${owner}`, () =>
      this.client.read(`${this.options.mount}/metadata/${path}`),
    ).catch(error => {
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
      const res = await this.call(`read secret at ${path}`, () =>
        this.client.read(`${this.options.mount}/data/${path}`),
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
      const res = await this.call(`read metadata at ${path}`, () =>
        this.client.read(`${this.options.mount}/metadata/${path}`),
      );
      return res.data.current_version;
    } catch (error) {
      if (error instanceof VaultNotFound) return undefined;
      throw error;
    }
  }

  private async listKeys(path: string): Promise<string[]> {
    try {
      const res = await this.call(`list ${path}`, () =>
        this.client.list(`${this.options.mount}/metadata/${path}`),
      );
      return res.data.keys ?? [];
    } catch (error) {
      if (error instanceof VaultNotFound) return [];
      throw error;
    }
  }

  /**
   * Runs one Vault request: authenticates first if needed, logs in again
   * once on 403 (expired or revoked token) and retries, and maps failures to
   * `@backstage/errors` without any request data.
   */
  private async call<T>(what: string, request: () => Promise<T>): Promise<T> {
    this.assertOpen();
    if (!this.client.token) await this.authenticate();
    const tokenUsed = this.client.token;
    try {
      return await request();
    } catch (error) {
      const failure = failureOf(error);
      if (failure.status === 403 && this.options.auth.method !== 'token') {
        await this.relogin(tokenUsed, what);
        try {
          return await request();
        } catch (retryError) {
          throw this.mapError(what, retryError);
        }
      }
      throw this.mapError(what, error);
    }
  }

  private mapError(what: string, error: unknown): Error {
    const failure = failureOf(error);
    if (failure.status === 404) return new VaultNotFound(failure.body);
    if (
      failure.status === 400 &&
      CAS_MISMATCH.test(failure.vaultMessage ?? '')
    ) {
      return new ConflictError(`${what}: check-and-set version mismatch`);
    }
    return new ServiceUnavailableError(
      `Vault could not ${what}: ${this.describe(failure)}`,
    );
  }

  private describe(failure: VaultFailure): string {
    if (failure.status) {
      return `Vault answered ${failure.status}${
        failure.vaultMessage ? ` (${failure.vaultMessage})` : ''
      }`;
    }
    return `no answer from Vault (${failure.code ?? 'connection failed'})`;
  }

  private assertOpen() {
    if (this.closed)
      throw new ServiceUnavailableError('the Vault secret store is closed');
  }

  /** Logs in, or for a static token learns its TTL; then schedules renewal. */
  private authenticate(): Promise<void> {
    if (!this.login) {
      this.login = this.doAuthenticate().finally(() => {
        this.login = undefined;
      });
    }
    return this.login;
  }

  // Several requests failing on the same expired token share one login.
  private async relogin(tokenUsed: string, what: string) {
    if (this.client.token === tokenUsed) {
      this.logger?.info(`Vault refused the token to ${what}; logging in again`);
      this.client.token = '';
      await this.authenticate();
    } else if (this.login) {
      await this.login;
    }
  }

  private async doAuthenticate(): Promise<void> {
    const auth = this.options.auth;
    let ttl = 0;
    let renewable = false;
    let jwt = '';
    if (auth.method === 'kubernetes') {
      try {
        jwt = (await readFile(auth.jwtPath, 'utf8')).trim();
      } catch (error) {
        throw new ServiceUnavailableError(
          `cannot read the service account token for Vault's kubernetes login from ${VAULT_CONFIG}.auth.kubernetes.jwtPath (${
            (error as NodeJS.ErrnoException).code ?? 'unreadable'
          })`,
        );
      }
    }
    try {
      if (auth.method === 'token') {
        const res = await this.client.tokenLookupSelf();
        ttl = Number(res?.data?.ttl ?? 0);
        renewable = Boolean(res?.data?.renewable);
      } else {
        const res =
          auth.method === 'approle'
            ? await this.client.approleLogin({
                role_id: auth.roleId,
                secret_id: auth.secretId,
                mount_point: auth.mountPath,
              })
            : await this.client.kubernetesLogin({
                role: auth.role,
                jwt,
                mount_point: auth.mountPath,
              });
        this.client.token = res.auth.client_token;
        ttl = Number(res.auth.lease_duration ?? 0);
        renewable = Boolean(res.auth.renewable);
      }
    } catch (error) {
      const failure = failureOf(error);
      throw new ServiceUnavailableError(
        `Vault ${auth.method} authentication failed: ${
          failure.status || failure.code
            ? this.describe(failure)
            : (error as Error).message
        }`,
      );
    }
    this.scheduleRenewal(ttl, renewable);
  }

  /** Renews at two thirds of the TTL; a login method logs in again instead when renewal fails. */
  private scheduleRenewal(ttlSeconds: number, renewable: boolean) {
    if (this.renewTimer) clearTimeout(this.renewTimer);
    this.renewTimer = undefined;
    if (this.closed || ttlSeconds <= 0) return;
    const canLogin = this.options.auth.method !== 'token';
    if (!renewable && !canLogin) return;
    this.renewTimer = setTimeout(() => {
      this.renewTimer = undefined;
      this.renew(renewable).catch(error => {
        this.logger?.warn(
          `Vault token renewal failed: ${(error as Error).message}`,
        );
      });
    }, Math.max(1, Math.floor((ttlSeconds * 2000) / 3)));
    // Renewal never keeps the process alive.
    this.renewTimer.unref();
  }

  private async renew(renewable: boolean) {
    if (this.closed) return;
    const canLogin = this.options.auth.method !== 'token';
    if (renewable) {
      try {
        const res = await this.client.tokenRenewSelf({});
        const ttl = Number(res?.auth?.lease_duration ?? 0);
        // Near its max TTL a token stops growing: log in afresh instead.
        if (!canLogin || ttl > 2) {
          this.scheduleRenewal(ttl, Boolean(res?.auth?.renewable));
          return;
        }
      } catch (error) {
        if (!canLogin) {
          throw new ServiceUnavailableError(
            `Vault token renewal failed: ${this.describe(failureOf(error))}`,
          );
        }
      }
    }
    this.client.token = '';
    await this.authenticate();
  }
}
