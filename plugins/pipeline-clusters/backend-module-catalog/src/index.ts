/**
 * Catalog module: one `Resource` of type `kubernetes-cluster` per portal cluster.
 *
 * @packageDocumentation
 */
export { catalogModulePipelineClusters as default } from './module';
export {
  PipelineClustersEntityProvider,
  PROVIDER_NAME,
  ANNOTATION_CLUSTER,
  ANNOTATION_DISTRIBUTION,
  ANNOTATION_PHASE,
  LABEL_DISTRIBUTION,
} from './PipelineClustersEntityProvider';
export type { PipelineClustersEntityProviderOptions } from './PipelineClustersEntityProvider';
