export { createActivateAction } from './activate';
export { createUpdateAction } from './update';
export { createDeactivateAction } from './deactivate';
export type { IntegratedServicesActionOptions } from './apiCall';
