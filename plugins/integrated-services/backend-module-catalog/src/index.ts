/**
 * Catalog module: the `IntegratedService` kind, validated against its JSON Schema.
 *
 * @packageDocumentation
 */
export { catalogModuleIntegratedServices as default } from './module';
export { IntegratedServiceEntityProcessor } from './IntegratedServiceEntityProcessor';
export {
  ServiceInstanceEntityProvider,
  instanceEntityName,
} from './ServiceInstanceEntityProvider';
