import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ApiError } from './errors';
import * as g from './git';
import type { RepoRecord, Store, UserRecord } from './model';

export interface CreateRepoOptions {
  description?: string | null;
  homepage?: string | null;
  private?: boolean;
  visibility?: 'public' | 'private' | 'internal';
  /** Create an initial commit with a README, as GitHub's `auto_init`. */
  autoInit?: boolean;
  /** Branch of the first commit; GitHub's default is `main`. */
  defaultBranch?: string;
  settings?: Record<string, boolean | string>;
}

const NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/** Creates the record and its bare repository (with a README if asked). */
export async function createRepo(
  store: Store,
  gitRoot: string,
  owner: UserRecord,
  name: string,
  creator: string,
  options: CreateRepoOptions = {},
): Promise<RepoRecord> {
  if (!NAME.test(name) || name === '.' || name === '..') {
    throw new ApiError(422, 'Repository creation failed.', {
      errors: [
        {
          resource: 'Repository',
          code: 'custom',
          field: 'name',
          message: 'name is invalid',
        },
      ],
    });
  }
  if (store.repo(owner.login, name)) {
    throw new ApiError(422, 'Repository creation failed.', {
      errors: [
        {
          resource: 'Repository',
          code: 'custom',
          field: 'name',
          message: 'name already exists on this account',
        },
      ],
    });
  }
  const visibility =
    options.visibility ?? (options.private ? 'private' : 'public');
  const defaultBranch = options.defaultBranch ?? 'main';
  const gitDir = path.join(
    gitRoot,
    owner.login.toLowerCase(),
    `${name.toLowerCase()}.git`,
  );
  await fs.rm(gitDir, { recursive: true, force: true });
  await g.initBare(gitDir, defaultBranch);
  const created = store.now();
  const repo: RepoRecord = {
    id: store.nextId(),
    owner,
    name,
    description: options.description ?? null,
    homepage: options.homepage ?? null,
    private: visibility !== 'public',
    visibility,
    defaultBranch,
    createdAt: created,
    updatedAt: created,
    pushedAt: null,
    topics: [],
    settings: options.settings ?? {},
    gitDir,
    collaborators: new Map(),
    teams: new Map(),
    hooks: [],
    statuses: [],
    checkRuns: [],
    deployments: [],
    protection: new Map(),
    issues: [],
    comments: [],
    parent: null,
    forks: [],
  };
  store.repos.set(`${owner.login}/${name}`.toLowerCase(), repo);
  if (options.autoInit) {
    const user = store.user(creator);
    await g.commitFile(gitDir, {
      branch: defaultBranch,
      filePath: 'README.md',
      content: Buffer.from(
        `# ${name}\n${options.description ? `\n${options.description}\n` : ''}`,
      ),
      message: 'Initial commit',
      author: {
        name: user?.name ?? creator,
        email: user?.email ?? `${creator}@users.noreply.github.com`,
      },
    });
    repo.pushedAt = created;
  }
  return repo;
}

export async function deleteRepo(
  store: Store,
  repo: RepoRecord,
): Promise<void> {
  store.repos.delete(`${repo.owner.login}/${repo.name}`.toLowerCase());
  if (repo.parent)
    repo.parent.forks = repo.parent.forks.filter(f => f !== repo);
  // As on GitHub, forks outlive their parent and pull requests their head repository.
  for (const fork of repo.forks) fork.parent = null;
  for (const other of store.repos.values()) {
    for (const issue of other.issues) {
      if (issue.pull?.headRepo === repo) issue.pull.headRepo = null;
    }
  }
  await fs.rm(repo.gitDir, { recursive: true, force: true });
}

/** The root of a fork network. */
export const sourceOf = (repo: RepoRecord): RepoRecord =>
  repo.parent ? sourceOf(repo.parent) : repo;

/**
 * Forks `parent` into `owner`'s account: a bare clone with the same history
 * (every branch and tag, or the default branch only). Like GitHub, an
 * existing fork of the same parent is returned as is, and a name taken by
 * another repository gets a `-1`, `-2`... suffix.
 */
export async function forkRepo(
  store: Store,
  gitRoot: string,
  parent: RepoRecord,
  owner: UserRecord,
  options: { name?: string; defaultBranchOnly?: boolean } = {},
): Promise<RepoRecord> {
  const existing = parent.forks.find(f => f.owner === owner);
  if (existing) return existing;
  const wanted = options.name ?? parent.name;
  let name = wanted;
  for (let i = 1; store.repo(owner.login, name); i++) name = `${wanted}-${i}`;
  const fork = await createRepo(store, gitRoot, owner, name, owner.login, {
    description: parent.description,
    homepage: parent.homepage,
    visibility: parent.visibility,
    defaultBranch: parent.defaultBranch,
    settings: { ...parent.settings },
  });
  const only = `refs/heads/${parent.defaultBranch}`;
  const refs = options.defaultBranchOnly
    ? [`+${only}:${only}`]
    : ['+refs/heads/*:refs/heads/*', '+refs/tags/*:refs/tags/*'];
  // An empty parent gives an empty fork (glob refspecs may match nothing).
  if (
    !options.defaultBranchOnly ||
    (await g.resolveCommit(parent.gitDir, only))
  )
    await g.git(fork.gitDir, ['fetch', '--quiet', parent.gitDir, ...refs]);
  fork.parent = parent;
  fork.topics = [...parent.topics];
  fork.pushedAt = parent.pushedAt;
  parent.forks.push(fork);
  return fork;
}
