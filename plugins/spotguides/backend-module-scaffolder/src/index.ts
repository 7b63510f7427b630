/**
 * Scaffolder actions of Pipeline Portal's spotguides: spotguides:webhook:create.
 *
 * @packageDocumentation
 */
export { scaffolderModuleSpotguides as default } from './module';
export * from './actions';
