/**
 * Clusters, cluster and credentials pages of Pipeline Portal, with an entity
 * card for the catalog's cluster Resources.
 *
 * @packageDocumentation
 */
import { pipelineClustersPlugin } from './plugin';

export { pipelineClustersApiRef } from './api';
export { clusterRouteRef, credentialsRouteRef, rootRouteRef } from './routes';
export default pipelineClustersPlugin;
