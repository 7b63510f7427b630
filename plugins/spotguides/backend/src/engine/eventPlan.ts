import { isZeroSha } from '../github/sha';
import type {
  RunContext,
  TriggerEvent,
} from '@pipeline-portal/plugin-spotguides-common';
import type { PushHint } from '../github/TektonReader';

/** What one delivery means for the engine. */
export interface EventPlan {
  trigger: TriggerEvent;
  context: RunContext;
  /** The commit (or branch) whose `.tekton/` holds the pipelines. */
  readRef: string;
  /** The commit the statuses go on. */
  statusSha: string;
  /** The repository's web URL (picks the GitHub integration). */
  htmlUrl: string;
  hint?: PushHint;
  pullRequest?: {
    number: number;
    /** From another repository (a fork), or from a deleted one. */
    fork: boolean;
    author: string;
    headSha: string;
  };
}

/** What a push payload tells about the files its commits changed. */
export function pushHint(payload: any): PushHint {
  return {
    before: String(payload.before),
    commits: Array.isArray(payload.commits) ? payload.commits : [],
    forced: payload.forced,
    created: payload.created,
  };
}

/** A deployment's ref as a branch or a tag; nothing when it is a commit sha. */
function deploymentRef(ref: unknown): { branch?: string; tag?: string } {
  if (typeof ref !== 'string' || /^[0-9a-f]{40}$/i.test(ref)) return {};
  if (ref.startsWith('refs/tags/')) return { tag: ref.slice(10) };
  if (ref.startsWith('refs/heads/')) return { branch: ref.slice(11) };
  return /^v\d/.test(ref) ? { tag: ref } : { branch: ref };
}

/**
 * Reads the event body into the matcher's event, the render context and
 * where to read pipelines from. A string when the event starts nothing.
 * Pull request pipelines come from the default branch unless
 * `pipelinesFromHead` (the repository opted in).
 */
export function planEvent(
  event: string,
  payload: any,
  options: { pipelinesFromHead: boolean },
): EventPlan | string {
  const repo = payload.repository ?? {};
  const [repoOwner, repoName] = String(repo.full_name ?? '/').split('/');
  const base = {
    repoUrl: String(repo.clone_url ?? repo.html_url ?? ''),
    repoOwner,
    repoName,
  };
  const htmlUrl = String(repo.html_url ?? '');
  if (event === 'push') {
    if (!payload.after || isZeroSha(payload.after)) {
      return `${payload.ref} was deleted`;
    }
    const ref = String(payload.ref);
    const commits: any[] = Array.isArray(payload.commits)
      ? payload.commits
      : [];
    const complete =
      commits.length > 0 && commits.length < 20 && !payload.created;
    const changedFiles = complete
      ? [
          ...new Set(
            commits.flatMap(c => [
              ...(c.added ?? []),
              ...(c.removed ?? []),
              ...(c.modified ?? []),
            ]),
          ),
        ]
      : undefined;
    return {
      trigger: {
        name: 'push',
        ref,
        changedFiles,
        message: payload.head_commit?.message ?? undefined,
      },
      context: {
        ...base,
        revision: payload.after,
        event: 'push',
        ...(ref.startsWith('refs/tags/')
          ? { tag: ref.slice('refs/tags/'.length) }
          : { branch: ref.replace(/^refs\/heads\//, '') }),
      },
      readRef: payload.after,
      statusSha: payload.after,
      htmlUrl,
      hint: pushHint(payload),
    };
  }
  if (event === 'pull_request') {
    const pr = payload.pull_request;
    if (!pr?.head?.sha) return 'the pull request has no head commit';
    const fork = pr.head.repo?.full_name !== pr.base?.repo?.full_name;
    const defaultBranch = String(repo.default_branch ?? pr.base?.ref);
    const fromDefault =
      pr.base?.ref === defaultBranch ? pr.base.sha : defaultBranch;
    return {
      trigger: {
        name: 'pull_request',
        action: payload.action,
        baseRef: pr.base?.ref,
      },
      context: {
        ...base,
        revision: pr.head.sha,
        branch: pr.head.ref,
        event: 'pull_request',
        pullRequest: pr.number,
      },
      readRef: options.pipelinesFromHead ? pr.head.sha : fromDefault,
      statusSha: pr.head.sha,
      htmlUrl,
      pullRequest: {
        number: pr.number,
        fork,
        author: String(pr.user?.login ?? payload.sender?.login ?? ''),
        headSha: pr.head.sha,
      },
    };
  }
  if (event === 'deployment') {
    const d = payload.deployment;
    if (!d?.sha) return 'the deployment has no commit';
    return {
      trigger: { name: 'deployment', ref: d.ref },
      context: {
        ...base,
        revision: d.sha,
        event: 'deployment',
        environment: d.environment,
        deploymentId: d.id,
        ...deploymentRef(d.ref),
      },
      readRef: d.sha,
      statusSha: d.sha,
      htmlUrl,
    };
  }
  return `${event} events start no pipeline`;
}
