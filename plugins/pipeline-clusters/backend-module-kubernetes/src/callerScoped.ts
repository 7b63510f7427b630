import {
  BackstageCredentials,
  BackstageUserPrincipal,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { ANNOTATION_KUBERNETES_AUTH_PROVIDER } from '@backstage/plugin-kubernetes-common';
import {
  ClusterDetails,
  KubernetesClustersSupplier,
} from '@backstage/plugin-kubernetes-node';
import {
  clusterKubernetesAccessPermission,
  kubernetesDeclaredClusterAccessPermission,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { PORTAL_CLUSTER_ANNOTATION } from './auth/ClusterCredentials';

/**
 * Auth providers whose credential comes from the caller's browser (the
 * person's own token), so the cluster decides what they may do. Every other
 * provider, custom ones included, lends a credential the backend holds.
 */
const CALLER_CREDENTIAL_PROVIDERS = new Set(['oidc', 'google', 'aks']);

/** How long one user's decisions over one cluster list are reused. */
const DECISION_TTL_MS = 5_000;
const MAX_CACHED = 5_000;

const lendsBackendCredential = (cluster: ClusterDetails) =>
  !CALLER_CREDENTIAL_PROVIDERS.has(
    cluster.authMetadata[ANNOTATION_KUBERNETES_AUTH_PROVIDER] ?? '',
  );

const isUser = (
  credentials: BackstageCredentials | undefined,
): credentials is BackstageCredentials<BackstageUserPrincipal> =>
  (credentials?.principal as { type?: string } | undefined)?.type === 'user';

/**
 * The clusters the Kubernetes plugin may reach for one caller. Every path
 * of the plugin (its proxy, the cluster list, workload and custom resource
 * reads, its actions) resolves clusters through the supplier with the
 * caller's credentials, so this is where each cluster is decided:
 *
 * - a portal cluster: `cluster.kubernetes.access` on that cluster (owners
 *   and admins under the portal's policy);
 * - a cluster declared in config (or the catalog) that lends the backend's
 *   credential: `kubernetes.declared-cluster.access` (admins);
 * - a declared cluster reached with the caller's own token: everyone, since
 *   the cluster itself authorizes the person.
 *
 * A service principal (another plugin) gets only the last kind: the portal's
 * credentials are never lent to a request that carries no user.
 */
export function callerScoped(
  inner: KubernetesClustersSupplier,
  permissions: PermissionsService,
): KubernetesClustersSupplier {
  const decided = new Map<
    string,
    { at: number; allowed: Promise<ReadonlySet<string>> }
  >();

  async function allowedNames(
    credentials: BackstageCredentials<BackstageUserPrincipal>,
    clusters: ClusterDetails[],
  ): Promise<ReadonlySet<string>> {
    const portal = clusters.filter(
      c => c.authMetadata[PORTAL_CLUSTER_ANNOTATION],
    );
    const lending = clusters.filter(
      c =>
        !c.authMetadata[PORTAL_CLUSTER_ANNOTATION] && lendsBackendCredential(c),
    );
    const requests = [
      ...portal.map(c => ({
        permission: clusterKubernetesAccessPermission,
        resourceRef: c.authMetadata[PORTAL_CLUSTER_ANNOTATION],
      })),
      ...(lending.length
        ? [{ permission: kubernetesDeclaredClusterAccessPermission }]
        : []),
    ];
    const decisions = requests.length
      ? await permissions.authorize(requests, { credentials })
      : [];
    const allowed = new Set<string>();
    portal.forEach((c, i) => {
      if (decisions[i].result === AuthorizeResult.ALLOW) allowed.add(c.name);
    });
    if (lending.length && decisions.at(-1)!.result === AuthorizeResult.ALLOW) {
      lending.forEach(c => allowed.add(c.name));
    }
    return allowed;
  }

  return {
    async getClusters(options) {
      const clusters = await inner.getClusters(options);
      const credentials = options?.credentials;
      const ownToken = clusters.filter(
        c =>
          !c.authMetadata[PORTAL_CLUSTER_ANNOTATION] &&
          !lendsBackendCredential(c),
      );
      if (!isUser(credentials)) return ownToken;

      const key = `${credentials.principal.userEntityRef}\n${clusters
        .map(c => c.name)
        .join('\n')}`;
      let entry = decided.get(key);
      if (!entry || Date.now() - entry.at > DECISION_TTL_MS) {
        entry = {
          at: Date.now(),
          allowed: allowedNames(credentials, clusters),
        };
        decided.set(key, entry);
        const mine = entry;
        // A failed decision is not remembered: the next request asks again.
        mine.allowed.catch(() => {
          if (decided.get(key) === mine) decided.delete(key);
        });
        if (decided.size > MAX_CACHED) {
          decided.delete(decided.keys().next().value!);
        }
      }
      const allowed = await entry.allowed;
      return clusters.filter(c => allowed.has(c.name) || ownToken.includes(c));
    },
  };
}
