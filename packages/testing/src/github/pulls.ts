import type { PullRequest, Repository } from '@octokit/webhooks-types';
import { ApiError, notFound, validationFailed } from './errors';
import * as g from './git';
import type { IssueRecord, PullRecord, RepoRecord, Store } from './model';
import { sourceOf } from './repoOps';
import { repository, Urls, webhookRepository } from './serialize';
import { pullJson, PullStats } from './serializeIssues';
import type { RefChange } from './smartHttp';
import type { WebhookPayloads } from './webhooks';

/** What the pull request logic needs from the double. */
export interface PullDeps {
  store: Store;
  urls(): Urls;
  payloads: WebhookPayloads;
  dispatch(repo: RepoRecord, event: string, payload: object): void;
}

/** The issue or pull request `number` (as in a URL) of `repo`. */
export function findIssue(
  repo: RepoRecord,
  number: string | number,
): IssueRecord | undefined {
  const n = Number(number);
  if (!Number.isInteger(n) || n < 1) return undefined;
  return repo.issues[n - 1];
}

export const isPull = (issue: IssueRecord | undefined): issue is PullRecord =>
  issue?.pull !== undefined;

/** Every pull request of every repository, with the repository holding it. */
function* allPulls(store: Store) {
  for (const repo of store.repos.values()) {
    for (const issue of repo.issues) {
      if (isPull(issue)) yield { repo, pr: issue };
    }
  }
}

/** Commits, additions, deletions and files between the base and the head. */
export async function pullStats(
  repo: RepoRecord,
  pr: PullRecord,
): Promise<PullStats> {
  const { headSha, baseSha } = pr.pull;
  const stats = { commits: 0, additions: 0, deletions: 0, changedFiles: 0 };
  if (!(await g.objectExists(repo.gitDir, headSha))) return stats;
  stats.commits = (
    await g.revList(repo.gitDir, [headSha, `^${baseSha}`], { max: 250 })
  ).length;
  const numstat = (range: string[]) =>
    g.git(repo.gitDir, ['diff', '--numstat', '--no-renames', ...range], {
      okCodes: [128],
    });
  let diff = await numstat([`${baseSha}...${headSha}`]);
  // Unrelated histories have no merge base: compare the trees.
  if (diff.code !== 0) diff = await numstat([baseSha, headSha]);
  for (const line of diff.stdout.toString('utf8').split('\n')) {
    const [add, del] = line.split('\t');
    if (!line) continue;
    stats.changedFiles += 1;
    stats.additions += add === '-' ? 0 : Number(add);
    stats.deletions += del === '-' ? 0 : Number(del);
  }
  return stats;
}

/** The REST rendering of a repository nested in a pull request. */
const nestedRepository = (r: RepoRecord, urls: Urls) => {
  const {
    organization: _org,
    network_count: _n,
    subscribers_count: _s,
    ...rest
  } = repository(r, urls);
  return rest as Repository;
};

/** A pull request as `GET /repos/{o}/{r}/pulls/{n}` returns it. */
export async function restPull(
  deps: Pick<PullDeps, 'store' | 'urls'>,
  repo: RepoRecord,
  pr: PullRecord,
): Promise<PullRequest> {
  const urls = deps.urls();
  return pullJson(pr, repo, urls, deps.store, await pullStats(repo, pr), r =>
    nestedRepository(r, urls),
  );
}

/** A pull request as `pull_request` payloads carry it. */
export async function hookPull(
  store: Store,
  urls: Urls,
  repo: RepoRecord,
  pr: PullRecord,
): Promise<PullRequest> {
  return pullJson(pr, repo, urls, store, await pullStats(repo, pr), r =>
    webhookRepository(r, urls),
  );
}

/**
 * Points `refs/pull/{n}/head` of the base repository at the head commit,
 * fetching it from the fork first, as GitHub does: the base repository can
 * then serve the head commit (commits, statuses, check runs, fetches).
 */
export async function mirrorHead(repo: RepoRecord, pr: PullRecord) {
  const ref = `refs/pull/${pr.number}/head`;
  const { headRepo, headSha } = pr.pull;
  if (headRepo && headRepo !== repo) {
    await g.git(repo.gitDir, [
      'fetch',
      '--quiet',
      '--no-tags',
      headRepo.gitDir,
      `+${headSha}:${ref}`,
    ]);
  } else {
    await g.git(repo.gitDir, ['update-ref', ref, headSha]);
  }
}

export interface OpenPullInput {
  /** `branch` (in the base repository) or `owner:branch` (in that owner's fork). */
  head: string;
  base: string;
  title: string;
  body?: string | null;
  draft?: boolean;
  maintainerCanModify?: boolean;
}

/** The repository `owner` holds in the fork network of `repo`. */
function networkRepo(
  store: Store,
  repo: RepoRecord,
  owner: string,
): RepoRecord | undefined {
  if (repo.owner.login.toLowerCase() === owner.toLowerCase()) return repo;
  const root = sourceOf(repo);
  return [...store.repos.values()].find(
    r =>
      r.owner.login.toLowerCase() === owner.toLowerCase() &&
      sourceOf(r) === root,
  );
}

/**
 * Opens a pull request in `repo` as `login`, with GitHub's validation:
 * head and base must be existing branches, differ by at least one commit,
 * and not already have an open pull request.
 */
export async function openPull(
  store: Store,
  repo: RepoRecord,
  login: string,
  input: OpenPullInput,
): Promise<PullRecord> {
  const colon = input.head.indexOf(':');
  const headOwner = colon < 0 ? repo.owner.login : input.head.slice(0, colon);
  const head = colon < 0 ? input.head : input.head.slice(colon + 1);
  const headRepo = networkRepo(store, repo, headOwner);
  const headSha =
    headRepo && store.role(login, headRepo) && head
      ? await g.resolveCommit(headRepo.gitDir, `refs/heads/${head}`)
      : undefined;
  if (!headRepo || !headSha) {
    throw validationFailed({
      resource: 'PullRequest',
      field: 'head',
      code: 'invalid',
    });
  }
  const baseSha = await g.resolveCommit(
    repo.gitDir,
    `refs/heads/${input.base}`,
  );
  if (!baseSha) {
    throw validationFailed({
      resource: 'PullRequest',
      field: 'base',
      code: 'invalid',
    });
  }
  const duplicate = repo.issues.find(
    i =>
      isPull(i) &&
      i.state === 'open' &&
      i.pull.headRepo === headRepo &&
      i.pull.head === head &&
      i.pull.base === input.base,
  );
  if (duplicate) {
    throw validationFailed({
      resource: 'PullRequest',
      code: 'custom',
      message: `A pull request already exists for ${headRepo.owner.login}:${head}.`,
    });
  }
  if (headRepo !== repo) {
    // Bring the head commits over to count them against the base.
    await g.git(repo.gitDir, [
      'fetch',
      '--quiet',
      '--no-tags',
      headRepo.gitDir,
      headSha,
    ]);
  }
  const ahead = await g.revList(repo.gitDir, [headSha, `^${baseSha}`], {
    max: 1,
  });
  if (!ahead.length) {
    throw validationFailed({
      resource: 'PullRequest',
      code: 'custom',
      message: `No commits between ${input.base} and ${input.head}`,
    });
  }
  const created = store.now();
  const pr: PullRecord = {
    id: store.nextId(),
    number: repo.issues.length + 1,
    title: input.title,
    body: input.body ?? null,
    author: store.user(login)?.login ?? login,
    state: 'open',
    locked: false,
    createdAt: created,
    updatedAt: created,
    closedAt: null,
    closedBy: null,
    pull: {
      id: store.nextId(),
      base: input.base,
      baseSha,
      head,
      headSha,
      beforeSha: null,
      headRepo,
      headOwner: headRepo.owner.login,
      draft: input.draft ?? false,
      maintainerCanModify: input.maintainerCanModify ?? headRepo !== repo,
      merged: false,
      mergedAt: null,
      mergedBy: null,
      mergeCommitSha: null,
    },
  };
  repo.issues.push(pr);
  await mirrorHead(repo, pr);
  return pr;
}

/**
 * Moves the head of `pr` to `sha` (a push to its head branch, or a reopen):
 * new head and base shas, `updated_at` from the clock, `refs/pull/{n}/head`.
 */
export async function moveHead(
  store: Store,
  repo: RepoRecord,
  pr: PullRecord,
  sha: string,
): Promise<void> {
  pr.pull.beforeSha = pr.pull.headSha;
  pr.pull.headSha = sha;
  pr.pull.baseSha =
    (await g.resolveCommit(repo.gitDir, `refs/heads/${pr.pull.base}`)) ??
    pr.pull.baseSha;
  pr.updatedAt = store.now();
  await mirrorHead(repo, pr);
}

/**
 * After branches of `pushed` moved: every open pull request whose head is
 * one of them follows it and, when `deliver`, sends `synchronize` to the
 * hooks of the repository holding the pull request.
 */
export async function followPushes(
  deps: PullDeps,
  pushed: RepoRecord,
  changes: RefChange[],
  pusher: string,
  deliver: boolean,
): Promise<void> {
  for (const c of changes) {
    if (!c.ref.startsWith('refs/heads/') || c.after === g.ZERO_SHA) continue;
    const branch = c.ref.slice('refs/heads/'.length);
    for (const { repo, pr } of [...allPulls(deps.store)]) {
      const p = pr.pull;
      if (
        pr.state !== 'open' ||
        p.headRepo !== pushed ||
        p.head !== branch ||
        p.headSha === c.after
      ) {
        continue;
      }
      await moveHead(deps.store, repo, pr, c.after);
      if (deliver) {
        deps.dispatch(
          repo,
          'pull_request',
          await deps.payloads.pullRequest(repo, {
            action: 'synchronize',
            number: pr.number,
            sender: pusher,
          }),
        );
      }
    }
  }
}

/** Looks up pull request `number` of `repo` or answers 404. */
export function pullOr404(repo: RepoRecord, number: string): PullRecord {
  const issue = findIssue(repo, number);
  if (!isPull(issue)) throw notFound();
  return issue;
}

/** Refuses changes to a pull request or issue by someone other than its author without push access. */
export function mayModify(
  store: Store,
  repo: RepoRecord,
  login: string,
  author: string,
): void {
  if (author.toLowerCase() === login.toLowerCase()) return;
  const role = store.role(login, repo);
  if (role === 'admin' || role === 'maintain' || role === 'write') return;
  throw new ApiError(403, 'Must have push access to repository');
}
