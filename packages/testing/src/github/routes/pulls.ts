import { ApiError, requireString, validationFailed } from '../errors';
import * as g from '../git';
import type { PullRecord, RepoRecord } from '../model';
import {
  isPull,
  mayModify,
  moveHead,
  openPull,
  OpenPullInput,
  pullOr404,
  restPull,
} from '../pulls';
import type { Router } from '../router';
import { simplePull } from '../serializeIssues';
import { Deps, json, ok, paginate, repoFor } from './common';

const D = 'https://docs.github.com/rest/pulls/pulls';

/** Opens a pull request (API or in-process) and delivers `opened`. */
export async function createPull(
  deps: Deps,
  repo: RepoRecord,
  login: string,
  input: OpenPullInput,
): Promise<PullRecord> {
  const pr = await openPull(deps.store, repo, login, input);
  deps.dispatch(
    repo,
    'pull_request',
    await deps.payloads.pullRequest(repo, {
      action: 'opened',
      number: pr.number,
      sender: login,
    }),
  );
  return pr;
}

const STATES = ['open', 'closed', 'all'];
const SORTS = ['created', 'updated', 'popularity', 'long-running'];

/** Pull requests: open, read, list and update (merging is not served). */
export function registerPulls(router: Router, deps: Deps): void {
  const { store } = deps;

  router.add(
    'POST',
    '/repos/:owner/:repo/pulls',
    `${D}#create-a-pull-request`,
    async (req, p) => {
      const repo = repoFor(deps, req, p);
      const body = await req.body();
      const head = requireString(body, 'head', 'PullRequest');
      const base = requireString(body, 'base', 'PullRequest');
      const title = requireString(body, 'title', 'PullRequest');
      const pr = await createPull(deps, repo, req.login, {
        head,
        base,
        title,
        body: typeof body.body === 'string' ? body.body : null,
        draft: body.draft === true,
        maintainerCanModify:
          typeof body.maintainer_can_modify === 'boolean'
            ? body.maintainer_can_modify
            : undefined,
      });
      const data = await restPull(deps, repo, pr);
      return { ...json(201, data), headers: { location: data.url } };
    },
  );

  router.add(
    'GET',
    '/repos/:owner/:repo/pulls/:number',
    `${D}#get-a-pull-request`,
    async (req, p) => {
      const repo = repoFor(deps, req, p);
      return ok(await restPull(deps, repo, pullOr404(repo, p.number)));
    },
  );

  router.add(
    'GET',
    '/repos/:owner/:repo/pulls',
    `${D}#list-pull-requests`,
    async (req, p) => {
      const repo = repoFor(deps, req, p);
      const q = req.query;
      const state = q.get('state') ?? 'open';
      const sort = q.get('sort') ?? 'created';
      for (const [field, value, allowed] of [
        ['state', state, STATES],
        ['sort', sort, SORTS],
        ['direction', q.get('direction') ?? 'asc', ['asc', 'desc']],
      ] as const) {
        if (!(allowed as readonly string[]).includes(value)) {
          throw validationFailed({
            resource: 'PullRequest',
            field,
            code: 'invalid',
          });
        }
      }
      const head = q.get('head');
      const base = q.get('base');
      const direction =
        q.get('direction') ?? (sort === 'created' ? 'desc' : 'asc');
      const key = (pr: PullRecord) =>
        sort === 'updated' ? pr.updatedAt : pr.createdAt;
      const pulls = repo.issues
        .filter(isPull)
        .filter(
          pr =>
            (state === 'all' || pr.state === state) &&
            (!base || pr.pull.base === base) &&
            (!head || `${pr.pull.headOwner}:${pr.pull.head}` === head),
        )
        .sort(
          (a, b) =>
            (key(a).localeCompare(key(b)) || a.number - b.number) *
            (direction === 'desc' ? -1 : 1),
        );
      const reply = paginate(req, pulls);
      const page = reply.body as PullRecord[];
      reply.body = await Promise.all(
        page.map(async pr => simplePull(await restPull(deps, repo, pr))),
      );
      return reply;
    },
  );

  router.add(
    'PATCH',
    '/repos/:owner/:repo/pulls/:number',
    `${D}#update-a-pull-request`,
    async (req, p) => {
      const repo = repoFor(deps, req, p);
      const pr = pullOr404(repo, p.number);
      mayModify(store, repo, req.login, pr.author);
      const body = await req.body();
      if (
        body.state !== undefined &&
        body.state !== 'open' &&
        body.state !== 'closed'
      ) {
        throw validationFailed({
          resource: 'PullRequest',
          field: 'state',
          code: 'invalid',
        });
      }
      if (
        body.title !== undefined &&
        (typeof body.title !== 'string' || !body.title)
      ) {
        throw validationFailed({
          resource: 'PullRequest',
          field: 'title',
          code: 'missing_field',
        });
      }
      if (
        typeof body.base === 'string' &&
        !(await g.resolveCommit(repo.gitDir, `refs/heads/${body.base}`))
      ) {
        throw validationFailed({
          resource: 'PullRequest',
          field: 'base',
          code: 'invalid',
        });
      }
      const events: Array<Parameters<typeof deps.payloads.pullRequest>[1]> = [];
      const changes: Record<string, { from: string }> = {};
      if (typeof body.title === 'string' && body.title !== pr.title) {
        changes.title = { from: pr.title };
        pr.title = body.title;
      }
      if (typeof body.body === 'string' && body.body !== (pr.body ?? '')) {
        changes.body = { from: pr.body ?? '' };
        pr.body = body.body;
      }
      if (typeof body.base === 'string' && body.base !== pr.pull.base) {
        pr.pull.base = body.base;
        pr.pull.baseSha = (await g.resolveCommit(
          repo.gitDir,
          `refs/heads/${body.base}`,
        ))!;
      }
      if (typeof body.maintainer_can_modify === 'boolean')
        pr.pull.maintainerCanModify = body.maintainer_can_modify;
      if (Object.keys(changes).length) {
        events.push({ action: 'edited', number: pr.number, changes });
      }
      if (body.state === 'closed' && pr.state === 'open') {
        pr.state = 'closed';
        pr.closedAt = store.now();
        pr.closedBy = req.login;
        events.push({ action: 'closed', number: pr.number });
      } else if (body.state === 'open' && pr.state === 'closed') {
        await reopen(deps, repo, pr);
        events.push({ action: 'reopened', number: pr.number });
      }
      if (events.length || body.base !== undefined) pr.updatedAt = store.now();
      for (const e of events) {
        deps.dispatch(
          repo,
          'pull_request',
          await deps.payloads.pullRequest(repo, { ...e, sender: req.login }),
        );
      }
      return ok(await restPull(deps, repo, pr));
    },
  );
}

/**
 * Reopens a closed pull request: refused when its head repository is gone
 * or another open pull request has the same head and base; the head
 * follows its branch again.
 */
async function reopen(deps: Deps, repo: RepoRecord, pr: PullRecord) {
  const { headRepo, head, base } = pr.pull;
  const tip = headRepo
    ? await g.resolveCommit(headRepo.gitDir, `refs/heads/${head}`)
    : undefined;
  if (!headRepo || !tip) {
    throw new ApiError(
      422,
      'state cannot be changed. The head branch or repository was deleted.',
    );
  }
  const other = repo.issues.find(
    i =>
      isPull(i) &&
      i !== pr &&
      i.state === 'open' &&
      i.pull.headRepo === headRepo &&
      i.pull.head === head &&
      i.pull.base === base,
  );
  if (other) {
    throw validationFailed({
      resource: 'PullRequest',
      code: 'custom',
      message: `A pull request already exists for ${headRepo.owner.login}:${head}.`,
    });
  }
  pr.state = 'open';
  pr.closedAt = null;
  pr.closedBy = null;
  if (tip !== pr.pull.headSha) await moveHead(deps.store, repo, pr, tip);
}
