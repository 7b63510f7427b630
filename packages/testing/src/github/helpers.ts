import type { GitHubDouble } from './api';
import { isoSeconds, parseInstant } from './clock';
import { ApiError } from './errors';
import type { RepoRecord } from './model';
import { forkRepo } from './repoOps';
import { findIssue } from './pulls';
import type { Deps } from './routes/common';
import { addComment, createIssue } from './routes/issues';
import { createPull } from './routes/pulls';

/** An API error as an in-process caller sees it: the message GitHub would send. */
const inProcess = async <T>(work: () => Promise<T> | T): Promise<T> => {
  try {
    return await work();
  } catch (e) {
    if (e instanceof ApiError) {
      const detail = e.extra.errors?.length
        ? `: ${JSON.stringify(e.extra.errors)}`
        : '';
      throw new Error(`${e.status} ${e.message}${detail}`);
    }
    throw e;
  }
};

type Helpers = Pick<
  GitHubDouble,
  | 'createFork'
  | 'createPullRequest'
  | 'issue'
  | 'createIssue'
  | 'createIssueComment'
  | 'clock'
>;

/**
 * The in-process helpers for forks, pull requests, issues and comments:
 * the same code paths as the API (validation, records, deliveries).
 */
export function collaborationHelpers(
  deps: Deps,
  defaultLogin: string,
  repoOrThrow: (owner: string, name: string) => RepoRecord,
): Helpers {
  const { store } = deps;
  const userOrThrow = (login: string) => {
    const user = store.user(login);
    if (!user) throw new Error(`no account ${login}`);
    return user.login;
  };
  return {
    clock: store.clock,
    createFork: async (owner, name, options = {}) => {
      const parent = repoOrThrow(owner, name);
      const target = store.user(options.owner ?? defaultLogin);
      if (!target) throw new Error(`no account ${options.owner}`);
      if (target === parent.owner)
        throw new Error(`${target.login} owns ${owner}/${name}`);
      return forkRepo(store, deps.gitRoot, parent, target, options);
    },
    createPullRequest: (owner, name, pr) => {
      const repo = repoOrThrow(owner, name);
      const author = userOrThrow(pr.author ?? defaultLogin);
      const base = pr.base ?? repo.defaultBranch;
      return inProcess(() =>
        createPull(deps, repo, author, {
          head: pr.head,
          base,
          title: pr.title ?? `Merge ${pr.head} into ${base}`,
          body: pr.body,
          draft: pr.draft,
        }),
      );
    },
    issue: (owner, name, number) => findIssue(repoOrThrow(owner, name), number),
    createIssue: (owner, name, issue) =>
      createIssue(
        deps,
        repoOrThrow(owner, name),
        userOrThrow(issue.author ?? defaultLogin),
        issue,
      ),
    createIssueComment: (owner, name, number, comment) => {
      const repo = repoOrThrow(owner, name);
      const issue = findIssue(repo, number);
      if (!issue) throw new Error(`no issue or pull request #${number}`);
      return addComment(
        deps,
        repo,
        issue,
        userOrThrow(comment.author ?? defaultLogin),
        comment.body,
        comment.createdAt === undefined
          ? undefined
          : isoSeconds(parseInstant(comment.createdAt)),
      );
    },
  };
}

/** `gh.webhooks.issueComment`: by comment id, or a deleted comment's record. */
export function issueCommentPayload(
  deps: Deps,
  repoOrThrow: (owner: string, name: string) => RepoRecord,
): GitHubDouble['webhooks']['issueComment'] {
  return (owner, name, comment, options) => {
    const repo = repoOrThrow(owner, name);
    const record =
      typeof comment === 'number'
        ? repo.comments.find(c => c.id === comment)
        : comment;
    if (!record) throw new Error(`no comment ${comment}`);
    return deps.payloads.issueComment(repo, record, options);
  };
}
