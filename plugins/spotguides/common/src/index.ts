/**
 * REST API types and the typed client of the spotguides plugin, and its pure
 * trigger core shared by the trigger engine and the explain route.
 *
 * @packageDocumentation
 */
export * from './api';
export * from './client';
export * from './permissions';
export * from './triggerTypes';
export {
  FILTER_PATTERN_LIMITS,
  FilterBudgetError,
  MatchBudget,
  FilterPatternError,
  FilterValueError,
  PatternList,
  compilePattern,
} from './triggers/patterns';
export type { CompiledPattern, ListMatch } from './triggers/patterns';
export {
  DEFAULT_PULL_REQUEST_TYPES,
  TRIGGER_ANNOTATION,
  TRIGGER_ANNOTATION_LIMIT,
  TRIGGER_EVENTS,
  parseTriggers,
} from './triggers/parseTriggers';
export type {
  DeploymentTrigger,
  FilterName,
  Filters,
  PullRequestTrigger,
  PushTrigger,
  TriggerEventName,
  Triggers,
} from './triggers/parseTriggers';
export { decide } from './triggers/decide';
export type { Decision } from './triggers/decide';
export {
  isPipelineFilePath,
  pipelineOf,
  readPipelineFile,
} from './pipelines/pipelineFile';
export type { ParsedPipelineFile } from './pipelines/pipelineFile';
export {
  EventAllowance,
  explainPipeline,
  explainPipelines,
  TRIGGER_ANNOTATIONS_PER_EVENT,
} from './pipelines/explain';
export { fnv1a64, pipelineRunName, toDnsLabel } from './pipelines/names';
export type { PipelineRunNameInput } from './pipelines/names';
export {
  MANAGED_BY,
  PLACEHOLDERS,
  RUN_ANNOTATIONS,
  RUN_LABELS,
  renderPipelineRun,
  statusContext,
} from './pipelines/render';
export * from './pipelines/safety';
