/** What the operator's RBAC must name, from the reconcile core. */
export { GROUP } from '../core/instance';
export { PLURAL as PLURAL_SERVICE_INSTANCES } from '../core/status';
