/**
 * Generic pieces the portal's backend plugins share.
 *
 * @packageDocumentation
 */
export { mapWithConcurrency } from './mapWithConcurrency';
export { RateLimiter } from './RateLimiter';
export { clientNode } from './clientNode';
export {
  KubernetesApiError,
  kubernetesStatusOf,
  toBackstageError,
  toKubernetesApiError,
} from './kube';
export { globalTaskScheduler, scheduleGlobalTask } from './globalTask';
export { reconcileMetrics } from './reconcileMetrics';
export type { ReconcilePassMetrics } from './reconcileMetrics';
export type { GlobalTaskDeps, GlobalTaskOptions } from './globalTask';
export {
  callApi,
  initiatorToken,
  responseStatus,
  toActionError,
} from './restApi';
export type { InitiatorContext } from './restApi';
export {
  compareObject,
  correction,
  describeDrift,
  detectDrift,
  engineMustCatchUp,
  formatPath,
  formatValue,
} from './drift';
export type {
  DriftRules,
  FieldDrift,
  FieldPath,
  ListItemKey,
  ObjectDrift,
} from './drift';
