import { parseEntityRef } from '@backstage/catalog-model';

/** A Kubernetes namespace name is a DNS label (RFC 1123). */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const MAX_LENGTH = 63;

/** What is wrong with a namespace name, in a sentence; undefined when valid. */
export function namespaceNameProblem(name: string): string | undefined {
  if (name.length > MAX_LENGTH) {
    return `A namespace name has at most ${MAX_LENGTH} characters; this one has ${name.length}.`;
  }
  if (!DNS_LABEL.test(name)) {
    return 'A namespace name is a DNS label: lower-case letters, digits and "-", starting and ending with a letter or digit.';
  }
  return undefined;
}

/**
 * The cluster name in the value of a cluster field: an entity ref of the
 * catalog Resource (`resource:default/prod-eu`) or a bare name.
 */
export function clusterNameOf(value: unknown): string | undefined {
  if (typeof value !== 'string' || !value.trim()) return undefined;
  try {
    return parseEntityRef(value.trim(), {
      defaultKind: 'resource',
      defaultNamespace: 'default',
    }).name;
  } catch {
    return undefined;
  }
}
