import { ApiError, notFound, requireString, validationFailed } from '../errors';
import type { IssueCommentRecord, IssueRecord, RepoRecord } from '../model';
import { findIssue, mayModify } from '../pulls';
import type { ApiRequest, Router } from '../router';
import { commentJson, issueJson } from '../serializeIssues';
import { Deps, json, noContent, ok, paginate, repoFor } from './common';

const D = 'https://docs.github.com/rest/issues';

/** Opens an issue; it takes the next number, shared with pull requests. */
export function createIssue(
  deps: Deps,
  repo: RepoRecord,
  login: string,
  input: { title: string; body?: string | null },
): IssueRecord {
  const created = deps.store.now();
  const issue: IssueRecord = {
    id: deps.store.nextId(),
    number: repo.issues.length + 1,
    title: input.title,
    body: input.body ?? null,
    author: deps.store.user(login)?.login ?? login,
    state: 'open',
    locked: false,
    createdAt: created,
    updatedAt: created,
    closedAt: null,
    closedBy: null,
  };
  repo.issues.push(issue);
  return issue;
}

/**
 * Comments on an issue or pull request and delivers `issue_comment`
 * `created`. `createdAt` (GitHub's format) replaces the clock's time.
 */
export function addComment(
  deps: Deps,
  repo: RepoRecord,
  issue: IssueRecord,
  login: string,
  body: string,
  createdAt = deps.store.now(),
): IssueCommentRecord {
  const comment: IssueCommentRecord = {
    id: deps.store.nextId(),
    issueNumber: issue.number,
    body,
    author: deps.store.user(login)?.login ?? login,
    createdAt,
    updatedAt: createdAt,
  };
  repo.comments.push(comment);
  if (createdAt > issue.updatedAt) issue.updatedAt = createdAt;
  deps.dispatch(
    repo,
    'issue_comment',
    deps.payloads.issueComment(repo, comment),
  );
  return comment;
}

/** `since`: only comments updated at or after that time. */
function sinceFilter(req: ApiRequest) {
  const since = req.query.get('since');
  if (!since) return () => true;
  const t = Date.parse(since);
  if (!Number.isFinite(t)) {
    throw validationFailed({
      resource: 'IssueComment',
      field: 'since',
      code: 'invalid',
    });
  }
  return (c: IssueCommentRecord) => Date.parse(c.updatedAt) >= t;
}

/** Issues (open and read) and issue comments, on issues and pull requests alike. */
export function registerIssues(router: Router, deps: Deps): void {
  const { store } = deps;
  const C = `${D}/comments`;
  const render = (repo: RepoRecord, c: IssueCommentRecord) =>
    commentJson(c, repo, deps.urls(), store);
  const issueOr404 = (repo: RepoRecord, number: string) => {
    const issue = findIssue(repo, number);
    if (!issue) throw notFound();
    return issue;
  };
  const commentOr404 = (repo: RepoRecord, id: string) => {
    const c = repo.comments.find(x => String(x.id) === id);
    if (!c) throw notFound();
    return c;
  };

  router.add(
    'POST',
    '/repos/:owner/:repo/issues',
    `${D}/issues#create-an-issue`,
    async (req, p) => {
      const repo = repoFor(deps, req, p);
      if (repo.settings.has_issues === false)
        throw new ApiError(410, 'Issues are disabled for this repo');
      const body = await req.body();
      const issue = createIssue(deps, repo, req.login, {
        title: requireString(body, 'title', 'Issue'),
        body: typeof body.body === 'string' ? body.body : null,
      });
      const data = issueJson(issue, repo, deps.urls(), store);
      return { ...json(201, data), headers: { location: data.url } };
    },
  );

  // Before `/issues/{number}`, which would take `comments` for a number.
  router.add(
    'GET',
    '/repos/:owner/:repo/issues/comments',
    `${C}#list-issue-comments-for-a-repository`,
    async (req, p) => {
      const repo = repoFor(deps, req, p);
      const sort = req.query.get('sort') ?? 'created';
      const desc = req.query.get('direction') === 'desc';
      const key = (c: IssueCommentRecord) =>
        sort === 'updated' ? c.updatedAt : c.createdAt;
      const list = repo.comments
        .filter(sinceFilter(req))
        .sort(
          (a, b) =>
            (key(a).localeCompare(key(b)) || a.id - b.id) * (desc ? -1 : 1),
        );
      return paginate(
        req,
        list.map(c => render(repo, c)),
      );
    },
  );

  router.add(
    'GET',
    '/repos/:owner/:repo/issues/comments/:id',
    `${C}#get-an-issue-comment`,
    async (req, p) => {
      const repo = repoFor(deps, req, p);
      return ok(render(repo, commentOr404(repo, p.id)));
    },
  );

  router.add(
    'PATCH',
    '/repos/:owner/:repo/issues/comments/:id',
    `${C}#update-an-issue-comment`,
    async (req, p) => {
      const repo = repoFor(deps, req, p);
      const c = commentOr404(repo, p.id);
      mayModify(store, repo, req.login, c.author);
      const body = requireString(await req.body(), 'body', 'IssueComment');
      const from = c.body;
      c.body = body;
      c.updatedAt = store.now();
      deps.dispatch(
        repo,
        'issue_comment',
        deps.payloads.issueComment(repo, c, {
          action: 'edited',
          changes: { body: { from } },
          sender: req.login,
        }),
      );
      return ok(render(repo, c));
    },
  );

  router.add(
    'DELETE',
    '/repos/:owner/:repo/issues/comments/:id',
    `${C}#delete-an-issue-comment`,
    async (req, p) => {
      const repo = repoFor(deps, req, p);
      const c = commentOr404(repo, p.id);
      mayModify(store, repo, req.login, c.author);
      repo.comments = repo.comments.filter(x => x !== c);
      deps.dispatch(
        repo,
        'issue_comment',
        deps.payloads.issueComment(repo, c, {
          action: 'deleted',
          sender: req.login,
        }),
      );
      return noContent();
    },
  );

  router.add(
    'GET',
    '/repos/:owner/:repo/issues/:number',
    `${D}/issues#get-an-issue`,
    async (req, p) => {
      const repo = repoFor(deps, req, p);
      return ok(
        issueJson(issueOr404(repo, p.number), repo, deps.urls(), store),
      );
    },
  );

  router.add(
    'POST',
    '/repos/:owner/:repo/issues/:number/comments',
    `${C}#create-an-issue-comment`,
    async (req, p) => {
      const repo = repoFor(deps, req, p);
      const issue = issueOr404(repo, p.number);
      const body = requireString(await req.body(), 'body', 'IssueComment');
      const data = render(repo, addComment(deps, repo, issue, req.login, body));
      return { ...json(201, data), headers: { location: data.url } };
    },
  );

  router.add(
    'GET',
    '/repos/:owner/:repo/issues/:number/comments',
    `${C}#list-issue-comments`,
    async (req, p) => {
      const repo = repoFor(deps, req, p);
      const issue = issueOr404(repo, p.number);
      return paginate(
        req,
        repo.comments
          .filter(c => c.issueNumber === issue.number)
          .filter(sinceFilter(req))
          .map(c => render(repo, c)),
      );
    },
  );
}
