import { stringify } from 'yaml';

/** The SecretStore name under which a cluster's kubeconfig is kept. */
export function kubeconfigSecretName(cluster: string): string {
  return `cluster-${cluster}-kubeconfig`;
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
