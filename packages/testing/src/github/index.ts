export { startGitHub } from './server';
export type { GitHubDouble, GitHubDoubleOptions } from './api';
export type { Clock as GitHubClock, Instant } from './clock';
export type { GitHubFault, RequestLogEntry } from './faults';
export type { CreateRepoOptions } from './repoOps';
export type {
  RepoRecord,
  HookRecord,
  Role,
  IssueRecord,
  PullRecord,
  PullInfo,
  IssueCommentRecord,
} from './model';
export type { Delivery, WebhookTarget } from './webhooks';
export type {
  PullRequestOptions,
  PullRequestAction,
  PullRequestPayload,
  IssueCommentOptions,
  IssueCommentPayload,
} from './pullEvents';
export { signature256 } from './webhooks';
export type { RateLimitSnapshot } from './rateLimit';
