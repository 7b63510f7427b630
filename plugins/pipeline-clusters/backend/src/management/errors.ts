/**
 * Failures talking to the management cluster, classified by the shared
 * Kubernetes layer: transient ones (429, 5xx, timeouts, dropped
 * connections) are retried with back-off (after `Retry-After` when given);
 * the rest (a manifest the API refuses, forbidden) put the cluster in Error.
 */
export {
  KubernetesApiError as ManagementApiError,
  kubernetesStatusOf as statusCodeOf,
  toKubernetesApiError as toManagementApiError,
} from '@pipeline-portal/backend-kit';
