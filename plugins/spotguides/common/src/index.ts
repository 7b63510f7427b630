/**
 * REST API types and the typed client of the spotguides plugin, and its pure
 * trigger core shared by the trigger engine and the explain route.
 *
 * @packageDocumentation
 */
export * from './api';
export * from './client';
export * from './triggerTypes';
