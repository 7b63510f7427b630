export {
  renderTeamNamespace,
  oidcGroupName,
  teamLabelValue,
  parseQuantity,
  TEAM_LABEL,
  MANAGED_BY_LABEL,
  MANAGED_BY,
  OWNER_ANNOTATION,
  POD_SECURITY_LABELS,
} from './render';
export type { KyvernoPolicy, KyvernoRule } from './render';
export {
  renderTeamNamespaceGuard,
  GUARD_POLICY_NAME,
  GUARDED_OBJECTS,
  CONTROL_PLANE_SUBJECTS,
} from './guard';
export type { KyvernoClusterPolicy, GuardRule } from './guard';
export {
  CLOUD_METADATA_CIDRS,
  DEFAULT_TEAM_NAMESPACE_SETTINGS,
  egressDestination,
  readTeamNamespaceSettings,
} from './settings';
export type {
  EgressDestination,
  GuardianSubject,
  TeamNamespaceSettings,
} from './settings';
export { applyTeamNamespace } from './apply';
export type {
  ApplyTeamNamespaceOptions,
  ApplyTeamNamespaceResult,
} from './apply';
export {
  listTeamNamespaces,
  readTeamNamespace,
  TEAM_NAMESPACE_SELECTOR,
} from './list';
export type { ListTeamNamespacesOptions } from './list';
