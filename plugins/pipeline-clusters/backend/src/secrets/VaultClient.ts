import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, ServiceUnavailableError } from '@backstage/errors';
import { readFile } from 'node:fs/promises';
import nodeVault from 'node-vault';
import { VAULT_CONFIG, VaultSecretStoreOptions } from './vaultConfig';

export interface VaultFailure {
  status?: number;
  code?: string;
  /** Vault's first error message. */
  vaultMessage?: string;
  body?: any;
}

export function failureOf(error: unknown): VaultFailure {
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
export class VaultNotFound extends Error {
  constructor(readonly body: any) {
    super('not found');
  }
}

/** A failure as the errors and logs say it, never with request data. */
export function describeFailure(failure: VaultFailure): string {
  if (failure.status) {
    return `Vault answered ${failure.status}${
      failure.vaultMessage ? ` (${failure.vaultMessage})` : ''
    }`;
  }
  return `no answer from Vault (${failure.code ?? 'connection failed'})`;
}

/**
 * A node-vault client that keeps itself logged in: token, Kubernetes or
 * AppRole authentication, renewal at two thirds of the TTL, one fresh login
 * when Vault refuses a token, and failures mapped to `@backstage/errors`
 * without any request data.
 */
export class VaultClient {
  private readonly client: ReturnType<typeof nodeVault>;
  private renewTimer?: NodeJS.Timeout;
  private login?: Promise<void>;
  private closed = false;

  constructor(
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

  async close(): Promise<void> {
    this.closed = true;
    if (this.renewTimer) clearTimeout(this.renewTimer);
    this.renewTimer = undefined;
  }

  /**
   * Runs one Vault request: authenticates first if needed, logs in again
   * once on 403 (expired or revoked token) and retries, and maps failures to
   * `@backstage/errors` without any request data.
   */
  async call<T>(
    what: string,
    request: (client: ReturnType<typeof nodeVault>) => Promise<T>,
  ): Promise<T> {
    this.assertOpen();
    if (!this.client.token) await this.authenticate();
    const tokenUsed = this.client.token;
    try {
      return await request(this.client);
    } catch (error) {
      const failure = failureOf(error);
      if (failure.status === 403 && this.options.auth.method !== 'token') {
        await this.relogin(tokenUsed, what);
        try {
          return await request(this.client);
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
      `Vault could not ${what}: ${describeFailure(failure)}`,
    );
  }

  private assertOpen() {
    if (this.closed)
      throw new ServiceUnavailableError('the Vault secret store is closed');
  }

  /** Logs in, or for a static token learns its TTL; then schedules renewal. */
  authenticate(): Promise<void> {
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
            ? describeFailure(failure)
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
            `Vault token renewal failed: ${describeFailure(failureOf(error))}`,
          );
        }
      }
    }
    this.client.token = '';
    await this.authenticate();
  }
}
