/**
 * Kubernetes-backend module: the portal's clusters as a cluster supplier.
 *
 * @packageDocumentation
 */
export { kubernetesModulePipelineClusters as default } from './module';
export { PipelineClustersSupplier } from './PipelineClustersSupplier';
export type { PipelineClustersSupplierOptions } from './PipelineClustersSupplier';
