import {
  AuthMetadata,
  AuthenticationStrategy,
  ClusterDetails,
  KubernetesCredential,
} from '@backstage/plugin-kubernetes-node';
import { KubernetesRequestAuth } from '@backstage/plugin-kubernetes-common';
import {
  ClusterCredentials,
  PORTAL_CLUSTER_ANNOTATION,
} from './ClusterCredentials';

/**
 * The `serviceAccount` strategy of the Kubernetes plugin, extended to the
 * portal's clusters: those get the bearer token or the client certificate
 * the supplier read from the SecretStore; every other cluster is served by
 * the stock strategy it wraps.
 *
 * It keeps the `serviceAccount` name because the Kubernetes frontend knows
 * that name as a server-side provider; a new name would need a frontend
 * auth provider as well.
 */
export class PipelineClustersAuthStrategy implements AuthenticationStrategy {
  constructor(
    private readonly credentials: ClusterCredentials,
    private readonly fallback: AuthenticationStrategy,
  ) {}

  async getCredential(
    clusterDetails: ClusterDetails,
    authConfig: KubernetesRequestAuth,
  ): Promise<KubernetesCredential> {
    const own = this.credentials.get(clusterDetails);
    if (own) return own;
    // A portal cluster without its credential must fail rather than fall
    // back to the backend's own in-cluster token.
    if (clusterDetails.authMetadata[PORTAL_CLUSTER_ANNOTATION]) {
      throw new Error(
        `No credential is known for portal cluster ${clusterDetails.name}`,
      );
    }
    return this.fallback.getCredential(clusterDetails, authConfig);
  }

  validateCluster(authMetadata: AuthMetadata): Error[] {
    return this.fallback.validateCluster(authMetadata);
  }

  presentAuthMetadata(authMetadata: AuthMetadata): AuthMetadata {
    return this.fallback.presentAuthMetadata(authMetadata);
  }
}
