export { startGitHub } from './server';
export type { GitHubDouble, GitHubDoubleOptions } from './server';
export type { GitHubFault, RequestLogEntry } from './faults';
export type { CreateRepoOptions } from './repoOps';
export type { RepoRecord, HookRecord, Role } from './model';
export type { Delivery, WebhookTarget, PullRequestOptions } from './webhooks';
export { signature256 } from './webhooks';
export type { RateLimitSnapshot } from './rateLimit';
