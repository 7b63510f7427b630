/**
 * Pipeline clusters backend plugin: provisions, imports and manages Kubernetes clusters.
 *
 * @packageDocumentation
 */
export { pipelineClustersPlugin as default } from './plugin';
