import { createHash } from 'node:crypto';

/** Max length of an RFC 1123 label (and of a label value). */
export const MAX_LABEL = 63;

function shortHash(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 8);
}

/**
 * Joins parts into an RFC 1123 label (lower-case alphanumerics and '-').
 * When the result would be longer than `max`, it is cut and suffixed with a
 * hash of the full value, so distinct inputs keep distinct, stable names.
 */
export function dnsLabel(parts: string | string[], max = MAX_LABEL): string {
  const full = (Array.isArray(parts) ? parts : [parts])
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (full.length <= max && full.length > 0) return full;
  const hash = shortHash(full);
  const head = full.slice(0, max - hash.length - 1).replace(/-+$/, '');
  return head ? `${head}-${hash}` : hash;
}

/**
 * A label value: alphanumerics, '-', '_' and '.', alphanumeric at both ends,
 * at most 63 characters. Other characters (':' and '/' of entity refs) become
 * '.', e.g. `group:default/payments` -> `group.default.payments`.
 */
export function labelValue(value: string): string {
  const full = value
    .replace(/[^A-Za-z0-9_.-]+/g, '.')
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  if (full.length <= MAX_LABEL) return full;
  const hash = shortHash(value);
  const head = full
    .slice(0, MAX_LABEL - hash.length - 1)
    .replace(/[^A-Za-z0-9]+$/, '');
  return `${head}-${hash}`;
}

/**
 * Name for a cluster-scoped object (Crossplane managed resources, CAPA
 * identities): the namespace is part of the name so two namespaces never
 * collide.
 */
export function clusterScopedName(namespace: string, name: string): string {
  return dnsLabel([namespace, name]);
}
