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
  const created = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
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
  await fs.rm(repo.gitDir, { recursive: true, force: true });
}
