/**
 * Types, validation, permissions and API client of the pipeline-clusters plugin.
 *
 * @packageDocumentation
 */
export * from './distributions';
export * from './types';
export * from './schema';
export * from './credentialSchema';
export * from './permissions';
export * from './client';
export * from './teamNamespace';
