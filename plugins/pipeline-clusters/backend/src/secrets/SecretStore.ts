import { InputError } from '@backstage/errors';
import {
  CLOUD_CREDENTIAL_KINDS,
  CredentialSummary,
  describeIssues,
  ownerSchema,
  rfc1123Label,
  SecretKind,
  secretValueSchemas,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { z } from 'zod';

/** Identifies a secret: its owning group and its name, unique per owner. */
export interface SecretRef {
  /** Group entity ref, e.g. `group:default/payments`. */
  owner: string;
  name: string;
}

/** A secret to store: who owns it, its name, kind and value. */
export interface NewSecret {
  owner: string;
  name: string;
  kind: SecretKind;
  value: Record<string, string>;
}

export interface SecretRecord<K extends SecretKind = SecretKind> {
  owner: string;
  name: string;
  kind: K;
  value: Record<string, string>;
  /** ISO 8601: when the secret was first stored (kept on overwrite). */
  createdAt: string;
}

/**
 * Where cloud credentials and kubeconfigs live. Values never leave an
 * implementation except through `get`; `list` returns summaries only.
 */
export interface SecretStore {
  /**
   * Validates value against secretValueSchemas[kind] (InputError naming the
   * field, never echoing values), then stores. ConflictError if it exists
   * unless overwrite.
   */
  put(
    secret: NewSecret,
    options?: { overwrite?: boolean },
  ): Promise<SecretRecord>;
  get(ref: SecretRef): Promise<SecretRecord | undefined>;
  /** Summaries sorted by owner then name; never values. */
  list(options?: {
    owner?: string;
    kinds?: SecretKind[];
  }): Promise<CredentialSummary[]>;
  /**
   * Deletes a secret and returns whether it did. With `kinds`, only a secret
   * of one of those kinds is deleted: one of another kind is left alone
   * (false), so that a caller deleting cloud credentials can never remove a
   * kubeconfig the portal keeps for a cluster.
   */
  delete(ref: SecretRef, options?: { kinds?: SecretKind[] }): Promise<boolean>;
  /** Releases timers and connections; the store is unusable afterwards. */
  close?(): Promise<void>;
}

export const SECRET_KINDS: readonly SecretKind[] = [
  ...CLOUD_CREDENTIAL_KINDS,
  'kubeconfig',
];

const nameSchema = rfc1123Label(63);

/** Normalizes the owner to a full group entity ref; InputError naming `owner`. */
export function normalizeOwner(owner: unknown): string {
  const parsed = ownerSchema.safeParse(owner);
  if (!parsed.success) {
    throw new InputError(
      `owner: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}

/** Validates and normalizes a ref: InputError naming `owner` or `name`. */
export function normalizeRef(ref: SecretRef): SecretRef {
  const name = nameSchema.safeParse(ref?.name);
  if (!name.success) {
    throw new InputError(`name: ${name.error.issues[0]?.message ?? 'invalid'}`);
  }
  return { owner: normalizeOwner(ref?.owner), name: name.data };
}

export function assertKind(kind: unknown): SecretKind {
  if (typeof kind !== 'string' || !SECRET_KINDS.includes(kind as SecretKind)) {
    throw new InputError(`kind: must be one of ${SECRET_KINDS.join(', ')}`);
  }
  return kind as SecretKind;
}

/**
 * Validates a secret before it is stored. The error names each field at
 * fault (`value.accessKeyId: must be an AWS access key id`) and carries no
 * cause, so the rejected value cannot leak through error serialization.
 */
export function validateSecret(secret: NewSecret): NewSecret {
  const ref = normalizeRef(secret);
  const kind = assertKind(secret.kind);
  const parsed = secretValueSchemas[kind].safeParse(secret.value);
  if (!parsed.success) {
    const prefixed = new z.ZodError(
      parsed.error.issues.map(issue => ({
        ...issue,
        path: ['value', ...issue.path],
      })),
    );
    throw new InputError(describeIssues(prefixed));
  }
  const value: Record<string, string> = {};
  for (const [key, field] of Object.entries(parsed.data)) {
    if (typeof field === 'string') value[key] = field;
  }
  return { ...ref, kind, value };
}

/** Validates the kinds filter of `list`. */
export function normalizeKinds(kinds: unknown): SecretKind[] | undefined {
  if (kinds === undefined) return undefined;
  if (!Array.isArray(kinds)) throw new InputError('kinds: must be an array');
  return kinds.map(assertKind);
}
