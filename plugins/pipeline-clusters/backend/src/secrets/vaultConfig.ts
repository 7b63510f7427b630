import { Config } from '@backstage/config';

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
