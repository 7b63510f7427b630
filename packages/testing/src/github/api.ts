import type {
  WebhookEventMap,
  WebhookEventName,
} from '@octokit/webhooks-types';
import type { Clock, Instant } from './clock';
import type { Faults, GitHubFault, RequestLogEntry } from './faults';
import type {
  IssueCommentRecord,
  IssueRecord,
  PullRecord,
  RepoRecord,
} from './model';
import type {
  IssueCommentOptions,
  IssueCommentPayload,
  PullRequestOptions,
  PullRequestPayload,
} from './pullEvents';
import type { RateLimitSnapshot } from './rateLimit';
import type { CreateRepoOptions } from './repoOps';
import type { Delivery, WebhookTarget } from './webhooks';

/** The public surface of the GitHub double: options and handle. */
export interface GitHubDoubleOptions {
  /** Port on 127.0.0.1; a free one when omitted. */
  port?: number;
  /** Login of the default user (default `portal-user`). */
  user?: string;
  /** Token of the default user (random `ghp_...` when omitted). */
  token?: string;
  /** Organizations to create, with the default user as member. */
  orgs?: string[];
  /** Primary budget per token per hour (default 5000; `Infinity` = none). */
  rateLimit?: number;
  /**
   * Deliver the events a push causes (`push`, `create`, and `pull_request`
   * `synchronize` for pull requests whose head moved) to repository hooks
   * after git pushes and `commitFile` (default true).
   */
  autoDeliverPushEvents?: boolean;
  /** Start with the clock stopped at this time (see `clock`); real time when omitted. */
  clock?: Instant;
  /** Size of the request log (default 10,000 entries). */
  maxLogEntries?: number;
}

export interface GitHubDouble {
  /** REST base URL (GitHub Enterprise layout): `http://127.0.0.1:PORT/api/v3`. */
  url: string;
  /** Web and git root: `http://127.0.0.1:PORT` (clone URLs live here). */
  webUrl: string;
  /** `127.0.0.1:PORT`, the `host` of a Backstage GitHub integration. */
  host: string;
  /** Token and login of the default user. */
  token: string;
  login: string;
  /** Adds a user; returns a new token for them. */
  addUser(login: string, options?: { name?: string; token?: string }): string;
  /** Adds an organization with the given members (logins). */
  addOrg(login: string, options?: { members?: string[] }): void;
  addTeam(org: string, slug: string, options?: { members?: string[] }): void;
  /** Creates a repository as if `creator` (default user) had called the API. */
  createRepo(
    owner: string,
    name: string,
    options?: CreateRepoOptions & { creator?: string },
  ): Promise<RepoRecord>;
  /** The live record of a repository (hooks, statuses, deployments...). */
  repo(owner: string, name: string): RepoRecord | undefined;
  /** Clone URL with `x-access-token:<token>@` credentials. */
  cloneUrl(owner: string, name: string, token?: string): string;
  /**
   * Commits one file on a branch (default: the default branch) as `author`
   * (a login, default the default user), like a push: pull requests whose
   * head is that branch follow it. Returns the sha.
   */
  commitFile(
    owner: string,
    name: string,
    file: {
      path: string;
      content: string | Buffer;
      message?: string;
      branch?: string;
      author?: string;
    },
  ): Promise<string>;
  /**
   * Forks a repository into `options.owner`'s account (a user or an
   * organization; default the default user), as `POST .../forks` does.
   */
  createFork(
    owner: string,
    name: string,
    options?: { owner?: string; name?: string; defaultBranchOnly?: boolean },
  ): Promise<RepoRecord>;
  /**
   * Opens a pull request as `author` (default user) would through the API,
   * with the same validation and `pull_request` `opened` delivery. `head` is
   * `branch` or `forkowner:branch`; `base` defaults to the default branch.
   */
  createPullRequest(
    owner: string,
    name: string,
    pr: {
      head: string;
      base?: string;
      title?: string;
      body?: string;
      draft?: boolean;
      author?: string;
    },
  ): Promise<PullRecord>;
  /** The live record of an issue or pull request. */
  issue(owner: string, name: string, number: number): IssueRecord | undefined;
  /** Opens an issue as `author` (default user). */
  createIssue(
    owner: string,
    name: string,
    issue: { title: string; body?: string; author?: string },
  ): IssueRecord;
  /**
   * Writes a comment on issue or pull request `number` as `author` (default
   * user), as the API does (`issue_comment` `created` delivery included).
   * `createdAt` dates this comment only; otherwise the clock does.
   */
  createIssueComment(
    owner: string,
    name: string,
    number: number,
    comment: { body: string; author?: string; createdAt?: Instant },
  ): IssueCommentRecord;
  headSha(
    owner: string,
    name: string,
    branch?: string,
  ): Promise<string | undefined>;
  readFile(
    owner: string,
    name: string,
    filePath: string,
    ref?: string,
  ): Promise<string | undefined>;
  rateLimit: {
    /** Sets the budget of one token, or of every token when `token` is omitted. */
    set(limit: number, options?: { token?: string; used?: number }): void;
    snapshot(token?: string): RateLimitSnapshot;
    reset(): void;
  };
  faults: Faults<GitHubFault>;
  /** Request log, oldest first. */
  readonly requests: RequestLogEntry[];
  /** Every webhook delivery attempt, oldest first. */
  readonly deliveries: Delivery[];
  /** Delivers one event to any URL, signed with `target.secret`. */
  sendWebhook<E extends WebhookEventName>(
    target: WebhookTarget,
    event: E,
    payload: WebhookEventMap[E],
  ): Promise<Delivery>;
  /** Delivers an event to a repository's hooks subscribed to it. */
  deliverToHooks<E extends WebhookEventName>(
    owner: string,
    name: string,
    event: E,
    payload: WebhookEventMap[E],
  ): Promise<Delivery[]>;
  /** Payload builders reading the double's state. */
  webhooks: {
    push(
      owner: string,
      name: string,
      options?: {
        ref?: string;
        before?: string;
        after?: string;
        sender?: string;
      },
    ): Promise<WebhookEventMap['push']>;
    create(
      owner: string,
      name: string,
      options: { ref: string; refType: 'tag' | 'branch'; sender?: string },
    ): WebhookEventMap['create'];
    deployment(
      owner: string,
      name: string,
      deploymentId: number,
    ): WebhookEventMap['deployment'];
    /** From the stored pull request `options.number` when there is one. */
    pullRequest(
      owner: string,
      name: string,
      options: PullRequestOptions,
    ): Promise<PullRequestPayload>;
    /** For a stored comment (by id), or a deleted one (pass its record). */
    issueComment(
      owner: string,
      name: string,
      comment: number | IssueCommentRecord,
      options?: IssueCommentOptions,
    ): IssueCommentPayload;
    ping(owner: string, name: string, hookId: number): WebhookEventMap['ping'];
  };
  /**
   * The clock of every timestamp the double records: real time unless a
   * test stops it (`set`) or moves it (`advance`); `reset` returns to real time.
   */
  clock: Clock;
  /** Resolves when background deliveries (pushes, pings) have finished. */
  webhooksIdle(): Promise<void>;
  close(): Promise<void>;
}
