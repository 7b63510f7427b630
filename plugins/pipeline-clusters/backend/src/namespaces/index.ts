export {
  renderTeamNamespace,
  oidcGroupName,
  teamLabelValue,
  parseQuantity,
  TEAM_LABEL,
  MANAGED_BY_LABEL,
  MANAGED_BY,
  OWNER_ANNOTATION,
} from './render';
export type { KyvernoPolicy } from './render';
export { applyTeamNamespace } from './apply';
export type {
  ApplyTeamNamespaceOptions,
  ApplyTeamNamespaceResult,
} from './apply';
export { listTeamNamespaces, TEAM_NAMESPACE_SELECTOR } from './list';
export type { ListTeamNamespacesOptions } from './list';
