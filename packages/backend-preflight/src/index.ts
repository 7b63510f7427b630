/**
 * Start-up checks of the backend's configuration.
 *
 * @packageDocumentation
 */
export {
  preflight,
  findConfigProblems,
  type PreflightOptions,
} from './preflight';
export { checkDatabase } from './database';
export {
  findMissingSubstitutions,
  type MissingSubstitution,
} from './substitutions';
