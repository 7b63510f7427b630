/**
 * Integrated services backend plugin: activates monitoring, logging, DNS and other services on clusters.
 *
 * @packageDocumentation
 */
export { integratedServicesPlugin as default } from './plugin';
