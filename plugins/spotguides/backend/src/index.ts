/**
 * Spotguides backend plugin: turns GitHub events on spotguide repositories into Tekton pipeline runs.
 *
 * @packageDocumentation
 */
export { spotguidesPlugin as default } from './plugin';
