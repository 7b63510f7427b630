/**
 * Integrated services pages of Pipeline Portal: the Integrated services tab of
 * a cluster (activate, upgrade along a planned path, deactivate) and the fleet
 * of instances across clusters.
 *
 * @packageDocumentation
 */
import { integratedServicesPlugin } from './plugin';

export { integratedServicesApiRef } from './api';
export { clusterServicesRouteRef, rootRouteRef } from './routes';
export default integratedServicesPlugin;
