export { createClusterCreateAction } from './createCluster';
export { createClusterImportAction } from './importCluster';
export { createClusterUpdateAction } from './updateCluster';
export { createClusterDeleteAction } from './deleteCluster';
export { createClusterWaitAction } from './waitCluster';
export type { WaitClock } from './waitCluster';
export { createNamespaceCreateAction } from './createNamespace';
export type { PipelineClustersActionOptions } from './util';
