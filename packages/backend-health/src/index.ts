/**
 * The health route of the portal's backend plugins.
 *
 * @packageDocumentation
 */
export { databaseHealth } from './databaseHealth';
