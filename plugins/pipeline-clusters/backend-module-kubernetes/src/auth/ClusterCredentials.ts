import {
  ClusterDetails,
  KubernetesCredential,
} from '@backstage/plugin-kubernetes-node';

/**
 * The credential of each portal cluster, keyed by the very `ClusterDetails`
 * object the supplier handed out. Secrets stay out of `authMetadata`, and a
 * cluster declared elsewhere under the same name or URL can never obtain
 * them: only the supplier's own objects are keys.
 */
export class ClusterCredentials {
  private readonly byDetails = new WeakMap<
    ClusterDetails,
    KubernetesCredential
  >();

  set(details: ClusterDetails, credential: KubernetesCredential): void {
    this.byDetails.set(details, credential);
  }

  get(details: ClusterDetails): KubernetesCredential | undefined {
    return this.byDetails.get(details);
  }
}

/** Marks details as the portal's, in `authMetadata` (not a secret). */
export const PORTAL_CLUSTER_ANNOTATION = 'pipeline-portal.io/cluster';
