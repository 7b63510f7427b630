import { createHmac, randomUUID } from 'node:crypto';
import type {
  Commit,
  CreateEvent,
  DeploymentCreatedEvent,
  PingEvent,
  PushEvent,
  WebhookEventMap,
  WebhookEventName,
} from '@octokit/webhooks-types';
import * as g from './git';
import type {
  HookRecord,
  IssueCommentRecord,
  RepoRecord,
  Store,
} from './model';
import {
  issueCommentEvent,
  IssueCommentOptions,
  IssueCommentPayload,
  PayloadContext,
  pullRequestEvent,
  PullRequestOptions,
  PullRequestPayload,
} from './pullEvents';
import {
  deployment,
  hook as hookJson,
  simpleUser,
  Urls,
  webhookRepository,
} from './serialize';

export type { IssueCommentOptions, PullRequestOptions } from './pullEvents';

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

  /** A `pull_request` event, from the stored pull request when there is one. */
  pullRequest(
    repo: RepoRecord,
    options: PullRequestOptions,
    defaultSender = repo.owner.login,
  ): Promise<PullRequestPayload> {
    return pullRequestEvent(this.context(), repo, defaultSender, options);
  }

  /** An `issue_comment` event for a stored (or just deleted) comment. */
  issueComment(
    repo: RepoRecord,
    comment: IssueCommentRecord,
    options?: IssueCommentOptions,
  ): IssueCommentPayload {
    return issueCommentEvent(this.context(), repo, comment, options);
  }

  private context(): PayloadContext {
    return {
      store: this.store,
      urls: this.urls(),
      sender: login => this.sender(login),
      org: repo => this.org(repo),
    };
  }
}
