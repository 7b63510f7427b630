/**
 * Start-up checks of the backend's configuration.
 *
 * @packageDocumentation
 */
export {
  preflight,
  findConfigProblems,
  startBackend,
  describeStartupFailure,
  DEFAULT_STARTUP_BUDGET_SECONDS,
  type PreflightOptions,
  type StartableBackend,
} from './preflight';
export {
  acquirePostgresStartupLock,
  claimSqliteDirectory,
  type StartupLock,
} from './startup';
export { checkDatabase } from './database';
export {
  findMissingSubstitutions,
  type MissingSubstitution,
} from './substitutions';
