import { createPublicKey, KeyObject, randomUUID, verify } from 'node:crypto';
import { VaultError } from './kv';

/** A role of the Kubernetes auth method. */
export interface KubernetesRole {
  /** Service account names allowed to log in (`*` for any). */
  boundServiceAccountNames: string[];
  /** Namespaces allowed to log in (`*` for any). */
  boundServiceAccountNamespaces: string[];
  policies: string[];
  /** Token TTL (seconds or a duration such as `1h`). */
  ttl?: number | string;
  maxTtl?: number | string;
}

/** A role of the AppRole auth method. */
export interface AppRole {
  /** Defaults to a random UUID (read it with `GET .../role-id`). */
  roleId?: string;
  /** Secret IDs accepted at login; more can be generated over HTTP. */
  secretIds?: string[];
  /** Set false to log in with the role ID alone (`bind_secret_id=false`). */
  bindSecretId?: boolean;
  policies: string[];
  ttl?: number | string;
  maxTtl?: number | string;
}

export interface ServiceAccountClaims {
  name: string;
  namespace: string;
  uid: string;
  secretName: string;
}

const b64json = (part: string) =>
  JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

/**
 * Reads the service account from a Kubernetes JWT (legacy secret tokens
 * and projected tokens). Real Vault asks the cluster's TokenReview API;
 * here the signature is checked only when a key is configured (RS256/ES256
 * public key in PEM), otherwise the payload is trusted as is.
 */
export function serviceAccountFromJwt(
  jwt: string,
  key: KeyObject | undefined,
  nowMs: number,
): ServiceAccountClaims {
  const parts = jwt.split('.');
  if (parts.length !== 3) throw new VaultError(400, 'not a compact JWS');
  let header: { alg?: string };
  let claims: Record<string, any>;
  try {
    header = b64json(parts[0]);
    claims = b64json(parts[1]);
  } catch {
    throw new VaultError(400, 'not a compact JWS');
  }
  if (key) {
    const alg = header.alg;
    const data = Buffer.from(`${parts[0]}.${parts[1]}`);
    const sig = Buffer.from(parts[2], 'base64url');
    let ok = false;
    if (alg === 'RS256') ok = verify('sha256', data, key, sig);
    if (alg === 'ES256') {
      ok = verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, sig);
    }
    if (!ok) throw new VaultError(403, 'permission denied');
  }
  if (typeof claims.exp === 'number' && claims.exp * 1000 < nowMs) {
    throw new VaultError(403, 'permission denied');
  }
  const k8s = claims['kubernetes.io'];
  const name =
    k8s?.serviceaccount?.name ??
    claims['kubernetes.io/serviceaccount/service-account.name'];
  const namespace =
    k8s?.namespace ?? claims['kubernetes.io/serviceaccount/namespace'];
  if (typeof name !== 'string' || typeof namespace !== 'string') {
    throw new VaultError(403, 'permission denied');
  }
  return {
    name,
    namespace,
    uid:
      k8s?.serviceaccount?.uid ??
      claims['kubernetes.io/serviceaccount/service-account.uid'] ??
      '',
    secretName: claims['kubernetes.io/serviceaccount/secret.name'] ?? '',
  };
}

export const publicKey = (pem: string | undefined) =>
  pem ? createPublicKey(pem) : undefined;

const bound = (list: string[], value: string) =>
  list.includes('*') || list.includes(value);

/** Checks a Kubernetes login against its role; Vault's messages and codes. */
export function checkKubernetesRole(
  role: KubernetesRole,
  sa: ServiceAccountClaims,
) {
  if (!bound(role.boundServiceAccountNames, sa.name)) {
    throw new VaultError(403, 'service account name not authorized');
  }
  if (!bound(role.boundServiceAccountNamespaces, sa.namespace)) {
    throw new VaultError(403, 'namespace not authorized');
  }
}

/** Resolved AppRole state, with IDs filled in. */
export interface AppRoleState extends AppRole {
  name: string;
  roleId: string;
  secretIds: string[];
}

export function appRoleState(name: string, role: AppRole): AppRoleState {
  return {
    ...role,
    name,
    roleId: role.roleId ?? randomUUID(),
    secretIds: [...(role.secretIds ?? [])],
  };
}
