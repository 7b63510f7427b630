import { ClusterAccess } from '@pipeline-portal/plugin-pipeline-clusters-common';
import { parse, stringify } from 'yaml';

const MANAGED_PREFIX = 'cluster-';
const MANAGED_SUFFIX = '-kubeconfig';

/** The SecretStore name under which a cluster's kubeconfig is kept. */
export function kubeconfigSecretName(cluster: string): string {
  return `${MANAGED_PREFIX}${cluster}${MANAGED_SUFFIX}`;
}

/**
 * Whether a secret name is one the portal keeps for a cluster (its
 * kubeconfig): cloud credentials may not take such a name.
 */
export function isManagedSecretName(name: string): boolean {
  return (
    name.length > MANAGED_PREFIX.length + MANAGED_SUFFIX.length &&
    name.startsWith(MANAGED_PREFIX) &&
    name.endsWith(MANAGED_SUFFIX)
  );
}

/** A kubeconfig for one cluster with a bearer token or a client certificate. */
export function buildKubeconfig(options: {
  name: string;
  server: string;
  caData?: string;
  token?: string;
  clientCertificateData?: string;
  clientKeyData?: string;
}): string {
  const user: Record<string, string> = {};
  if (options.token) user.token = options.token;
  if (options.clientCertificateData)
    user['client-certificate-data'] = options.clientCertificateData;
  if (options.clientKeyData) user['client-key-data'] = options.clientKeyData;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: options.name,
        cluster: {
          server: options.server,
          ...(options.caData
            ? { 'certificate-authority-data': options.caData }
            : {}),
        },
      },
    ],
    users: [{ name: options.name, user }],
    contexts: [
      {
        name: options.name,
        context: { cluster: options.name, user: options.name },
      },
    ],
    'current-context': options.name,
  });
}

/**
 * How to reach a cluster with its kubeconfig: the cluster and user of the
 * current context (else of the first one).
 */
export function accessFromKubeconfig(
  name: string,
  yaml: string,
): ClusterAccess {
  const kubeconfig: KubeconfigFile = parse(yaml) ?? {};
  const context = namedEntry(
    kubeconfig.contexts,
    kubeconfig['current-context'],
  )?.context;
  const cluster =
    namedEntry(kubeconfig.clusters, context?.cluster)?.cluster ?? {};
  const user = namedEntry(kubeconfig.users, context?.user)?.user ?? {};
  return {
    name,
    apiServer: cluster.server,
    ...(cluster['certificate-authority-data']
      ? { caData: cluster['certificate-authority-data'] }
      : {}),
    ...(user.token ? { token: user.token } : {}),
    ...(user['client-certificate-data']
      ? { clientCertificateData: user['client-certificate-data'] }
      : {}),
    ...(user['client-key-data']
      ? { clientKeyData: user['client-key-data'] }
      : {}),
  };
}

/** The parts of a kubeconfig that say how to reach its cluster. */
interface KubeconfigFile {
  'current-context'?: string;
  contexts?: Array<{
    name?: string;
    context?: { cluster?: string; user?: string };
  }>;
  clusters?: Array<{ name?: string; cluster?: Record<string, string> }>;
  users?: Array<{ name?: string; user?: Record<string, string> }>;
}

/** The kubeconfig list entry of that name, else the first one. */
function namedEntry<T extends { name?: string }>(
  entries: T[] | undefined,
  name: string | undefined,
): T | undefined {
  if (!Array.isArray(entries)) return undefined;
  return entries.find(e => e?.name === name) ?? entries[0];
}
