/**
 * Scaffolder actions for integrated services: integrated-service:activate,
 * :update and :deactivate.
 *
 * @packageDocumentation
 */
export { scaffolderModuleIntegratedServices as default } from './module';
export * from './actions';
