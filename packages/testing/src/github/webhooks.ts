import { createHmac, randomUUID } from 'node:crypto';
import type {
  Commit,
  CreateEvent,
  DeploymentCreatedEvent,
  PingEvent,
  PullRequest,
  PullRequestClosedEvent,
  PullRequestOpenedEvent,
  PullRequestSynchronizeEvent,
  PushEvent,
  WebhookEventMap,
  WebhookEventName,
} from '@octokit/webhooks-types';
import * as g from './git';
import type { HookRecord, RepoRecord, Store } from './model';
import {
  deployment,
  hook as hookJson,
  simpleUser,
  Urls,
  webhookRepository,
} from './serialize';

/** Where and how to deliver one event. */
export interface WebhookTarget {
  url: string;
  /** HMAC key for `X-Hub-Signature-256`; unsigned when omitted. */
  secret?: string;
  contentType?: 'json' | 'form';
  hookId?: number;
  /** Repository id for the `X-GitHub-Hook-Installation-Target-ID` header. */
  targetId?: number;
}

/** One delivery attempt, as kept in the delivery log. */
export interface Delivery {
  id: number;
  guid: string;
  hookId?: number;
  event: string;
  action?: string;
  url: string;
  requestHeaders: Record<string, string>;
  /** The raw body exactly as sent (and signed). */
  body: string;
  status?: number;
  responseBody?: string;
  error?: string;
  durationMs: number;
  deliveredAt: string;
}

export const signature256 = (secret: string, body: string) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

let deliveryId = 90000;

/** POSTs one event the way GitHub's hookshot does. */
export async function deliver<E extends WebhookEventName>(
  target: WebhookTarget,
  event: E,
  payload: WebhookEventMap[E],
): Promise<Delivery> {
  const json = JSON.stringify(payload);
  const form = target.contentType === 'form';
  const body = form ? `payload=${encodeURIComponent(json)}` : json;
  const guid = randomUUID();
  const headers: Record<string, string> = {
    'content-type': form
      ? 'application/x-www-form-urlencoded'
      : 'application/json',
    'user-agent': 'GitHub-Hookshot/7c4e1a2',
    'x-github-event': event,
    'x-github-delivery': guid,
    'x-github-hook-installation-target-type': 'repository',
  };
  if (target.hookId !== undefined)
    headers['x-github-hook-id'] = String(target.hookId);
  if (target.targetId !== undefined) {
    headers['x-github-hook-installation-target-id'] = String(target.targetId);
  }
  if (target.secret) {
    headers['x-hub-signature'] = `sha1=${createHmac('sha1', target.secret)
      .update(body)
      .digest('hex')}`;
    headers['x-hub-signature-256'] = signature256(target.secret, body);
  }
  deliveryId += 1;
  const delivery: Delivery = {
    id: deliveryId,
    guid,
    hookId: target.hookId,
    event,
    action: (payload as { action?: string }).action,
    url: target.url,
    requestHeaders: headers,
    body,
    durationMs: 0,
    deliveredAt: new Date().toISOString(),
  };
  const started = Date.now();
  try {
    // GitHub gives up after 10 seconds.
    const res = await fetch(target.url, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(10_000),
    });
    delivery.status = res.status;
    delivery.responseBody = await res.text();
  } catch (e) {
    delivery.error = e instanceof Error ? e.message : String(e);
  }
  delivery.durationMs = Date.now() - started;
  return delivery;
}

export const hookWants = (h: HookRecord, event: string) =>
  h.active && (h.events.includes('*') || h.events.includes(event));

const ZEN = 'Keep it logically awesome.';

/** Builds event payloads from the double's real state. */
export class WebhookPayloads {
  constructor(
    private readonly store: Store,
    private readonly urls: () => Urls,
  ) {}

  private sender(login: string) {
    const user = this.store.user(login) ?? this.store.addAccount(login, 'User');
    return simpleUser(user, this.urls());
  }

  private org(repo: RepoRecord) {
    if (repo.owner.type !== 'Organization') return {};
    const o = simpleUser(repo.owner, this.urls());
    return {
      organization: {
        login: o.login,
        id: o.id,
        node_id: o.node_id,
        url: `${this.urls().api}/orgs/${o.login}`,
        repos_url: `${this.urls().api}/orgs/${o.login}/repos`,
        events_url: `${this.urls().api}/orgs/${o.login}/events`,
        hooks_url: `${this.urls().api}/orgs/${o.login}/hooks`,
        issues_url: `${this.urls().api}/orgs/${o.login}/issues`,
        members_url: `${this.urls().api}/orgs/${o.login}/members{/member}`,
        public_members_url: `${this.urls().api}/orgs/${
          o.login
        }/public_members{/member}`,
        avatar_url: o.avatar_url,
        description: null,
      },
    };
  }

  ping(repo: RepoRecord, h: HookRecord, sender: string): PingEvent {
    return {
      zen: ZEN,
      hook_id: h.id,
      hook: {
        ...hookJson(h, repo, this.urls()),
        // The payload's type only knows the documented event names.
        events: h.events as PingEvent['hook']['events'],
        last_response: {
          code: null,
          status: h.lastResponse.status,
          message: null,
        },
      },
      repository: webhookRepository(repo, this.urls()),
      sender: this.sender(sender),
      ...this.org(repo),
    };
  }

  private async commit(repo: RepoRecord, sha: string): Promise<Commit> {
    const info = await g.readCommit(repo.gitDir, sha);
    const files = await g.changedFiles(repo.gitDir, sha);
    const pick = (s: g.FileChange['status']) =>
      files.filter(f => f.status === s).map(f => f.filename);
    return {
      id: sha,
      tree_id: info.tree,
      distinct: true,
      message: info.message,
      timestamp: info.committer.date,
      url: `${this.urls().web}/${repo.owner.login}/${repo.name}/commit/${sha}`,
      author: {
        name: info.author.name,
        email: info.author.email,
        date: info.author.date,
      },
      committer: {
        name: info.committer.name,
        email: info.committer.email,
        date: info.committer.date,
      },
      added: pick('added'),
      removed: pick('removed'),
      modified: pick('modified'),
    };
  }

  /**
   * A push of `ref` from `before` to `after` (zero sha for created/deleted
   * refs). Defaults: the default branch, its parent commit to its head.
   */
  async push(
    repo: RepoRecord,
    options: { ref?: string; before?: string; after?: string; sender: string },
  ): Promise<PushEvent> {
    const ref = options.ref ?? `refs/heads/${repo.defaultBranch}`;
    const after =
      options.after ?? (await g.resolveCommit(repo.gitDir, ref)) ?? g.ZERO_SHA;
    let before = options.before;
    if (before === undefined) {
      const head =
        after === g.ZERO_SHA
          ? undefined
          : await g.readCommit(repo.gitDir, after);
      before = head?.parents[0] ?? g.ZERO_SHA;
    }
    const created = before === g.ZERO_SHA;
    const deleted = after === g.ZERO_SHA;
    let shas: string[] = [];
    if (!deleted) {
      // GitHub lists at most 20 commits, oldest first.
      const range = created ? [after] : [after, `^${before}`];
      shas = (await g.revList(repo.gitDir, range, { max: 20 })).reverse();
    }
    const commits = await Promise.all(shas.map(sha => this.commit(repo, sha)));
    const forced =
      !created &&
      !deleted &&
      !(await g.revList(repo.gitDir, [after], { max: 10000 })).includes(before);
    const sender = this.sender(options.sender);
    const web = `${this.urls().web}/${repo.owner.login}/${repo.name}`;
    const short = (s: string) => s.slice(0, 12);
    return {
      ref,
      before,
      after,
      created,
      deleted,
      forced,
      base_ref: null,
      compare: created
        ? `${web}/commit/${short(after)}`
        : `${web}/compare/${short(before)}...${short(after)}`,
      commits,
      head_commit: deleted
        ? null
        : commits[commits.length - 1] ?? (await this.commit(repo, after)),
      repository: webhookRepository(repo, this.urls(), true),
      pusher: {
        name: sender.login,
        email: this.store.user(sender.login)?.email ?? null,
      },
      sender,
      ...this.org(repo),
    };
  }

  create(
    repo: RepoRecord,
    options: { ref: string; refType: 'tag' | 'branch'; sender: string },
  ): CreateEvent {
    return {
      ref: options.ref.replace(/^refs\/(heads|tags)\//, ''),
      ref_type: options.refType,
      master_branch: repo.defaultBranch,
      description: repo.description,
      pusher_type: 'user',
      repository: webhookRepository(repo, this.urls()),
      sender: this.sender(options.sender),
      ...this.org(repo),
    };
  }

  deployment(
    repo: RepoRecord,
    deploymentId: number,
    sender: string,
  ): DeploymentCreatedEvent {
    const d = repo.deployments.find(x => x.id === deploymentId);
    if (!d) throw new Error(`no deployment ${deploymentId}`);
    return {
      action: 'created',
      deployment: deployment(d, repo, this.urls(), this.store),
      workflow: null,
      workflow_run: null,
      repository: webhookRepository(repo, this.urls()),
      sender: this.sender(sender),
      ...this.org(repo),
    };
  }

  /** A pull request between two branches of the repository. */
  async pullRequest(
    repo: RepoRecord,
    options: PullRequestOptions,
  ): Promise<
    | PullRequestOpenedEvent
    | PullRequestClosedEvent
    | PullRequestSynchronizeEvent
  > {
    const urls = this.urls();
    const base = options.base ?? repo.defaultBranch;
    const headSha = await g.resolveCommit(repo.gitDir, options.head);
    const baseSha = await g.resolveCommit(repo.gitDir, base);
    if (!headSha || !baseSha) {
      throw new Error(`unknown branch ${headSha ? base : options.head}`);
    }
    const author = this.sender(options.sender);
    const repoJson = webhookRepository(repo, urls);
    const api = `${urls.api}/repos/${repo.owner.login}/${repo.name}`;
    const web = `${urls.web}/${repo.owner.login}/${repo.name}`;
    const n = options.number;
    const now = new Date().toISOString();
    const link = (href: string) => ({ href });
    const pr: PullRequest = {
      url: `${api}/pulls/${n}`,
      id: this.store.nextId(),
      node_id: Buffer.from(`04:PullRequest${n}`).toString('base64'),
      html_url: `${web}/pull/${n}`,
      diff_url: `${web}/pull/${n}.diff`,
      patch_url: `${web}/pull/${n}.patch`,
      issue_url: `${api}/issues/${n}`,
      number: n,
      state: 'open',
      locked: false,
      title: options.title ?? `Merge ${options.head} into ${base}`,
      user: author,
      body: options.body ?? null,
      created_at: now,
      updated_at: now,
      closed_at: null,
      merged_at: null,
      merge_commit_sha: null,
      assignee: null,
      assignees: [],
      requested_reviewers: [],
      requested_teams: [],
      labels: [],
      milestone: null,
      commits_url: `${api}/pulls/${n}/commits`,
      review_comments_url: `${api}/pulls/${n}/comments`,
      review_comment_url: `${api}/pulls/comments{/number}`,
      comments_url: `${api}/issues/${n}/comments`,
      statuses_url: `${api}/statuses/${headSha}`,
      head: {
        label: `${repo.owner.login}:${options.head}`,
        ref: options.head,
        sha: headSha,
        user: repoJson.owner,
        repo: repoJson,
      },
      base: {
        label: `${repo.owner.login}:${base}`,
        ref: base,
        sha: baseSha,
        user: repoJson.owner,
        repo: repoJson,
      },
      _links: {
        self: link(`${api}/pulls/${n}`),
        html: link(`${web}/pull/${n}`),
        issue: link(`${api}/issues/${n}`),
        comments: link(`${api}/issues/${n}/comments`),
        review_comments: link(`${api}/pulls/${n}/comments`),
        review_comment: link(`${api}/pulls/comments{/number}`),
        commits: link(`${api}/pulls/${n}/commits`),
        statuses: link(`${api}/statuses/${headSha}`),
      },
      author_association: 'OWNER',
      auto_merge: null,
      active_lock_reason: null,
      draft: false,
      merged: false,
      mergeable: null,
      rebaseable: null,
      mergeable_state: 'unknown',
      merged_by: null,
      comments: 0,
      review_comments: 0,
      maintainer_can_modify: false,
      commits: (await g.revList(repo.gitDir, [headSha, `^${baseSha}`])).length,
      additions: 0,
      deletions: 0,
      changed_files: 0,
    };
    const common = {
      number: n,
      repository: repoJson,
      sender: author,
      ...this.org(repo),
    };
    if (options.action === 'closed') {
      const merged = options.merged ?? false;
      return {
        ...common,
        action: 'closed',
        pull_request: {
          ...pr,
          state: 'closed',
          closed_at: now,
          merged,
          merged_at: merged ? now : null,
          merged_by: merged ? author : null,
          merge_commit_sha: merged ? headSha : null,
        },
      };
    }
    if (options.action === 'synchronize') {
      const before =
        (await g.readCommit(repo.gitDir, headSha)).parents[0] ?? g.ZERO_SHA;
      return {
        ...common,
        action: 'synchronize',
        before,
        after: headSha,
        pull_request: pr,
      };
    }
    return {
      ...common,
      action: 'opened',
      pull_request: {
        ...pr,
        state: 'open',
        closed_at: null,
        merged_at: null,
        active_lock_reason: null,
        merged_by: null,
      },
    };
  }
}

export interface PullRequestOptions {
  action: 'opened' | 'closed' | 'synchronize';
  number: number;
  /** Head branch (must exist in the repository). */
  head: string;
  /** Base branch; the default branch when omitted. */
  base?: string;
  title?: string;
  body?: string;
  /** For `closed`: whether the pull request was merged. */
  merged?: boolean;
  sender: string;
}
