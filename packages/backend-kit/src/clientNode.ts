/**
 * `@kubernetes/client-node` takes about half a second to load. The portal only
 * needs it once it talks to a cluster (no management cluster is configured
 * by default), so it is loaded on first use rather than at start-up.
 */
export function clientNode(): typeof import('@kubernetes/client-node') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@kubernetes/client-node');
}
