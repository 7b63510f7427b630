import type {
  IssueCommentCreatedEvent,
  IssueCommentDeletedEvent,
  IssueCommentEditedEvent,
  PullRequestClosedEvent,
  PullRequestEditedEvent,
  PullRequestOpenedEvent,
  PullRequestReopenedEvent,
  PullRequestSynchronizeEvent,
  User,
} from '@octokit/webhooks-types';
import * as g from './git';
import type {
  IssueCommentRecord,
  PullRecord,
  RepoRecord,
  Store,
} from './model';
import { findIssue, hookPull, isPull } from './pulls';
import { Urls, webhookRepository } from './serialize';
import { commentJson, issueJson } from './serializeIssues';

/** What the payload builders share with the other builders. */
export interface PayloadContext {
  store: Store;
  urls: Urls;
  sender(login: string): User;
  org(repo: RepoRecord): object;
}

export type PullRequestAction =
  | 'opened'
  | 'closed'
  | 'reopened'
  | 'synchronize'
  | 'edited';

export interface PullRequestOptions {
  action: PullRequestAction;
  /**
   * Number of the pull request. When the double holds a pull request with
   * this number (opened through the API or `gh.createPullRequest`), the
   * payload is built from it and the options below are ignored.
   */
  number: number;
  /** Head branch (must exist in the repository); for payloads without a stored pull request. */
  head?: string;
  /** Base branch; the default branch when omitted. */
  base?: string;
  title?: string;
  body?: string;
  /** For `closed`: whether the pull request was merged. */
  merged?: boolean;
  /** For `synchronize`: the previous head (default: the stored one, or the head's parent). */
  before?: string;
  /** For `edited`: the previous title and body. */
  changes?: PullRequestEditedEvent['changes'];
  /** Login of the sender (default: the pull request's author, or the default user). */
  sender?: string;
}

export type PullRequestPayload =
  | PullRequestOpenedEvent
  | PullRequestClosedEvent
  | PullRequestReopenedEvent
  | PullRequestSynchronizeEvent
  | PullRequestEditedEvent;

/** A pull request that exists only for one payload (no stored record). */
async function transientPull(
  ctx: PayloadContext,
  repo: RepoRecord,
  o: PullRequestOptions,
  author: string,
): Promise<PullRecord> {
  if (!o.head) throw new Error(`no pull request #${o.number}; pass head`);
  const base = o.base ?? repo.defaultBranch;
  const headSha = await g.resolveCommit(repo.gitDir, o.head);
  const baseSha = await g.resolveCommit(repo.gitDir, base);
  if (!headSha || !baseSha) {
    throw new Error(`unknown branch ${headSha ? base : o.head}`);
  }
  const now = ctx.store.now();
  return {
    id: ctx.store.nextId(),
    number: o.number,
    title: o.title ?? `Merge ${o.head} into ${base}`,
    body: o.body ?? null,
    author,
    state: 'open',
    locked: false,
    createdAt: now,
    updatedAt: now,
    closedAt: null,
    closedBy: null,
    pull: {
      id: ctx.store.nextId(),
      base,
      baseSha,
      head: o.head,
      headSha,
      beforeSha: null,
      headRepo: repo,
      headOwner: repo.owner.login,
      draft: false,
      maintainerCanModify: false,
      merged: false,
      mergedAt: null,
      mergedBy: null,
      mergeCommitSha: null,
    },
  };
}

/**
 * A `pull_request` event. With a stored pull request, its state is the
 * payload's (head and base shas, head repository, `updated_at`...), so
 * payloads and the REST API agree.
 */
export async function pullRequestEvent(
  ctx: PayloadContext,
  repo: RepoRecord,
  defaultSender: string,
  o: PullRequestOptions,
): Promise<PullRequestPayload> {
  const stored = findIssue(repo, o.number);
  const pr = isPull(stored)
    ? stored
    : await transientPull(ctx, repo, o, o.sender ?? defaultSender);
  const sender = ctx.sender(o.sender ?? pr.author);
  const body = await hookPull(ctx.store, ctx.urls, repo, pr);
  const common = {
    number: pr.number,
    repository: webhookRepository(repo, ctx.urls),
    sender,
    ...ctx.org(repo),
  };
  if (o.action === 'closed') {
    const merged = o.merged ?? pr.pull.merged;
    const closedAt = pr.closedAt ?? ctx.store.now();
    return {
      ...common,
      action: 'closed',
      pull_request: {
        ...body,
        state: 'closed',
        closed_at: closedAt,
        merged,
        merged_at: merged ? pr.pull.mergedAt ?? closedAt : null,
        merged_by: merged ? body.merged_by ?? sender : null,
        merge_commit_sha: merged
          ? pr.pull.mergeCommitSha ?? pr.pull.headSha
          : null,
      },
    };
  }
  if (o.action === 'synchronize') {
    const before =
      o.before ??
      pr.pull.beforeSha ??
      (await g.readCommit(repo.gitDir, pr.pull.headSha)).parents[0] ??
      g.ZERO_SHA;
    return {
      ...common,
      action: 'synchronize',
      before,
      after: pr.pull.headSha,
      pull_request: body,
    };
  }
  if (o.action === 'edited') {
    return {
      ...common,
      action: 'edited',
      changes: o.changes ?? {},
      pull_request: body,
    };
  }
  const open = {
    ...body,
    state: 'open' as const,
    closed_at: null,
    merged_at: null,
    merged_by: null,
  };
  if (o.action === 'reopened') {
    return {
      ...common,
      action: 'reopened',
      pull_request: { ...open, merged: false },
    };
  }
  return {
    ...common,
    action: 'opened',
    pull_request: { ...open, active_lock_reason: null },
  };
}

export interface IssueCommentOptions {
  action?: 'created' | 'edited' | 'deleted';
  /** For `edited`: the previous body. */
  changes?: IssueCommentEditedEvent['changes'];
  /** Login of the sender (default: the comment's author). */
  sender?: string;
}

export type IssueCommentPayload =
  | IssueCommentCreatedEvent
  | IssueCommentEditedEvent
  | IssueCommentDeletedEvent;

/**
 * An `issue_comment` event for a comment (a deleted one may be passed as a
 * record): `issue` carries `pull_request` when the comment is on one.
 */
export function issueCommentEvent(
  ctx: PayloadContext,
  repo: RepoRecord,
  comment: IssueCommentRecord,
  o: IssueCommentOptions = {},
): IssueCommentPayload {
  const issue = findIssue(repo, comment.issueNumber);
  if (!issue) throw new Error(`no issue #${comment.issueNumber}`);
  const common = {
    issue: issueJson(issue, repo, ctx.urls, ctx.store),
    comment: commentJson(comment, repo, ctx.urls, ctx.store),
    repository: webhookRepository(repo, ctx.urls),
    sender: ctx.sender(o.sender ?? comment.author),
    ...ctx.org(repo),
  };
  if (o.action === 'edited') {
    return { ...common, action: 'edited', changes: o.changes ?? {} };
  }
  if (o.action === 'deleted') return { ...common, action: 'deleted' };
  return { ...common, action: 'created' };
}
