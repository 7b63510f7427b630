/**
 * Spotguides pages of Pipeline Portal: the deliveries page with the explain
 * panel, and the pipeline runs card of a component.
 *
 * @packageDocumentation
 */
import { spotguidesPlugin } from './plugin';

export { spotguidesApiRef } from './api';
export { rootRouteRef } from './routes';
export default spotguidesPlugin;
