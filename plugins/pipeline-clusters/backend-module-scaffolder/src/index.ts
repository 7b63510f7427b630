/**
 * Scaffolder actions for Pipeline Portal clusters: pipeline:cluster:create,
 * :import, :update, :delete, :wait and pipeline:namespace:create.
 *
 * @packageDocumentation
 */
export { scaffolderModulePipelineClusters as default } from './module';
export * from './actions';
