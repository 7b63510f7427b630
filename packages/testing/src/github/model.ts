/** In-memory records of everything the double holds besides git objects. */
import { Clock } from './clock';

export type Role = 'admin' | 'maintain' | 'write' | 'triage' | 'read';

export interface UserRecord {
  id: number;
  login: string;
  type: 'User' | 'Organization';
  name: string | null;
  email: string | null;
  createdAt: string;
  /** Organization members (logins, lower case); organizations only. */
  members: Set<string>;
}

export interface TeamRecord {
  id: number;
  org: string;
  slug: string;
  name: string;
  members: Set<string>;
}

export interface HookRecord {
  id: number;
  name: string;
  active: boolean;
  events: string[];
  config: {
    url: string;
    content_type: 'json' | 'form';
    secret?: string;
    insecure_ssl: '0' | '1';
  };
  createdAt: string;
  updatedAt: string;
  lastResponse: {
    code: number | null;
    status: string;
    message: string | null;
  };
}

export type CommitState = 'error' | 'failure' | 'pending' | 'success';

export interface StatusRecord {
  id: number;
  sha: string;
  state: CommitState;
  description: string | null;
  targetUrl: string | null;
  context: string;
  creator: string;
  createdAt: string;
  updatedAt: string;
}

export interface CheckRunRecord {
  id: number;
  suiteId: number;
  headSha: string;
  name: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: string | null;
  startedAt: string | null;
  completedAt: string | null;
  detailsUrl: string | null;
  externalId: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
}

export interface DeploymentStatusRecord {
  id: number;
  state: string;
  description: string;
  environment: string;
  environmentUrl: string;
  logUrl: string;
  creator: string;
  createdAt: string;
  updatedAt: string;
}

export interface DeploymentRecord {
  id: number;
  sha: string;
  ref: string;
  task: string;
  payload: Record<string, unknown>;
  environment: string;
  originalEnvironment: string;
  description: string | null;
  transientEnvironment: boolean;
  productionEnvironment: boolean;
  creator: string;
  createdAt: string;
  updatedAt: string;
  statuses: DeploymentStatusRecord[];
}

/** What makes an issue a pull request. */
export interface PullInfo {
  /** The pull request's own id (the issue has another). */
  id: number;
  /** Base branch, in the repository holding the pull request. */
  base: string;
  /** Base branch head when the pull request was opened or last synchronized. */
  baseSha: string;
  /** Head branch, in `headRepo`. */
  head: string;
  headSha: string;
  /** Head sha before the last push to the head branch (for `synchronize`). */
  beforeSha: string | null;
  /** The repository of the head branch (a fork or the base repository); null once deleted. */
  headRepo: RepoRecord | null;
  /** Login of the head repository's owner (kept when the fork is deleted). */
  headOwner: string;
  draft: boolean;
  maintainerCanModify: boolean;
  merged: boolean;
  mergedAt: string | null;
  mergedBy: string | null;
  mergeCommitSha: string | null;
}

/**
 * An issue, or a pull request when `pull` is set: as on GitHub, both share
 * one sequence of numbers per repository and pull requests take issue comments.
 */
export interface IssueRecord {
  id: number;
  number: number;
  title: string;
  body: string | null;
  /** Login of the author. */
  author: string;
  state: 'open' | 'closed';
  locked: boolean;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  closedBy: string | null;
  pull?: PullInfo;
}

export type PullRecord = IssueRecord & { pull: PullInfo };

export interface IssueCommentRecord {
  id: number;
  issueNumber: number;
  body: string;
  /** Login of the author. */
  author: string;
  createdAt: string;
  updatedAt: string;
}

export interface RepoRecord {
  id: number;
  owner: UserRecord;
  name: string;
  description: string | null;
  homepage: string | null;
  private: boolean;
  visibility: 'public' | 'private' | 'internal';
  defaultBranch: string;
  createdAt: string;
  updatedAt: string;
  pushedAt: string | null;
  topics: string[];
  /** Merge settings and feature flags echoed back as sent (allow_*, has_*). */
  settings: Record<string, boolean | string>;
  /** Bare git repository on disk. */
  gitDir: string;
  collaborators: Map<string, Role>;
  /** Team slug (lower case) to permission. */
  teams: Map<string, Role>;
  hooks: HookRecord[];
  statuses: StatusRecord[];
  checkRuns: CheckRunRecord[];
  deployments: DeploymentRecord[];
  /** Branch name to the protection body last PUT. */
  protection: Map<string, Record<string, unknown>>;
  /** Issues and pull requests, by number (index = number - 1). */
  issues: IssueRecord[];
  /** Issue comments (on issues and pull requests), oldest first. */
  comments: IssueCommentRecord[];
  /** The repository this one is a fork of. */
  parent: RepoRecord | null;
  /** Direct forks, oldest first. */
  forks: RepoRecord[];
}

const ROLE_ORDER: Role[] = ['read', 'triage', 'write', 'maintain', 'admin'];

export const roleAtLeast = (role: Role | undefined, wanted: Role) =>
  role !== undefined && ROLE_ORDER.indexOf(role) >= ROLE_ORDER.indexOf(wanted);

/** The plain state store; git objects live in the bare repositories. */
export class Store {
  private id = 1000;
  readonly users = new Map<string, UserRecord>();
  readonly tokens = new Map<string, string>();
  readonly repos = new Map<string, RepoRecord>();
  readonly teams = new Map<string, TeamRecord>();
  /** The clock every recorded timestamp reads. */
  readonly clock = new Clock();

  /** The clock's time as GitHub writes timestamps. */
  now(): string {
    return this.clock.iso();
  }

  nextId(): number {
    this.id += 1;
    return this.id;
  }

  addAccount(
    login: string,
    type: UserRecord['type'],
    name: string | null = null,
  ): UserRecord {
    const existing = this.users.get(login.toLowerCase());
    if (existing) return existing;
    const user: UserRecord = {
      id: this.nextId(),
      login,
      type,
      name,
      email: type === 'User' ? `${login}@users.noreply.github.com` : null,
      createdAt: this.now(),
      members: new Set(),
    };
    this.users.set(login.toLowerCase(), user);
    return user;
  }

  user(login: string): UserRecord | undefined {
    return this.users.get(login.toLowerCase());
  }

  repo(owner: string, name: string): RepoRecord | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase());
  }

  team(org: string, slug: string): TeamRecord | undefined {
    return this.teams.get(`${org}/${slug}`.toLowerCase());
  }

  /** Effective role of `login` on `repo` (simplified: org members are admins). */
  role(login: string, repo: RepoRecord): Role | undefined {
    const lower = login.toLowerCase();
    if (
      repo.owner.type === 'User' &&
      repo.owner.login.toLowerCase() === lower
    ) {
      return 'admin';
    }
    if (repo.owner.members.has(lower)) return 'admin';
    const direct = repo.collaborators.get(lower);
    let best: Role | undefined = direct;
    for (const [slug, role] of repo.teams) {
      const team = this.team(repo.owner.login, slug);
      if (team?.members.has(lower) && !roleAtLeast(best, role)) best = role;
    }
    if (best) return best;
    return repo.private ? undefined : 'read';
  }
}
