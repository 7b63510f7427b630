/**
 * Types, the IntegratedService entity schema and validator, the version planner,
 * values rendering and permissions of the integrated-services plugin.
 *
 * @packageDocumentation
 */
export * from './types';
export * from './entitySchema';
export * from './definitionValidation';
export * from './specValidation';
export { formatIssues } from './ajvIssues';
export { getPointer, parsePointer, formatPointer } from './jsonPointer';
export * from './values';
export * from './planner';
export * from './permissions';
export * from './api';
export * from './client';
