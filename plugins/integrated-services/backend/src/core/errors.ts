/**
 * A failure talking to a cluster, classified by the shared Kubernetes layer.
 * Transient ones (429, 5xx, timeouts, dropped connections) are retried on
 * the next pass without counting as the service's failure; the rest stop the
 * plan with the message in status.
 */
export {
  KubernetesApiError as ClusterApiError,
  kubernetesStatusOf as statusCodeOf,
  toKubernetesApiError as toClusterApiError,
} from '@pipeline-portal/backend-kit';

/** A step or release that failed: the plan stops with this message. */
export class StepFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StepFailedError';
  }
}
