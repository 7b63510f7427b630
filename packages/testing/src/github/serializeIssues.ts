import type {
  AuthorAssociation,
  Issue,
  IssueComment,
  Label,
  PullRequest,
  Repository,
  User,
} from '@octokit/webhooks-types';
import type {
  IssueCommentRecord,
  IssueRecord,
  PullRecord,
  RepoRecord,
  Store,
} from './model';
import { nodeId, simpleUser, Urls } from './serialize';

/** Counts GitHub shows on a pull request, computed from git. */
export interface PullStats {
  commits: number;
  additions: number;
  deletions: number;
  changedFiles: number;
}

/** Issues and comments as webhook payloads carry them (and REST returns them). */
export type IssueJson = Issue & {
  assignee: User | null;
  state: 'open' | 'closed';
  locked: boolean;
  labels: Label[];
};

const reactions = (url: string) => ({
  url: `${url}/reactions`,
  total_count: 0,
  '+1': 0,
  '-1': 0,
  laugh: 0,
  hooray: 0,
  confused: 0,
  heart: 0,
  rocket: 0,
  eyes: 0,
});

/**
 * The author's relation to the repository (simplified: no CONTRIBUTOR or
 * FIRST_TIME_CONTRIBUTOR): its owner, a member of the owning organization,
 * a collaborator (directly or through a team), or nobody.
 */
export function authorAssociation(
  store: Store,
  repo: RepoRecord,
  login: string,
): AuthorAssociation {
  const lower = login.toLowerCase();
  if (repo.owner.login.toLowerCase() === lower) return 'OWNER';
  if (repo.owner.members.has(lower)) return 'MEMBER';
  if (repo.collaborators.has(lower)) return 'COLLABORATOR';
  for (const slug of repo.teams.keys()) {
    if (store.team(repo.owner.login, slug)?.members.has(lower))
      return 'COLLABORATOR';
  }
  return 'NONE';
}

const userOf = (store: Store, login: string, urls: Urls) =>
  simpleUser(store.user(login) ?? store.addAccount(login, 'User'), urls);

const repoApi = (repo: RepoRecord, urls: Urls) =>
  `${urls.api}/repos/${repo.owner.login}/${repo.name}`;
const repoWeb = (repo: RepoRecord, urls: Urls) =>
  `${urls.web}/${repo.owner.login}/${repo.name}`;

export function issueJson(
  issue: IssueRecord,
  repo: RepoRecord,
  urls: Urls,
  store: Store,
): IssueJson {
  const api = `${repoApi(repo, urls)}/issues/${issue.number}`;
  const web = repoWeb(repo, urls);
  const kind = issue.pull ? 'pull' : 'issues';
  const comments = repo.comments.filter(c => c.issueNumber === issue.number);
  return {
    url: api,
    repository_url: repoApi(repo, urls),
    labels_url: `${api}/labels{/name}`,
    comments_url: `${api}/comments`,
    events_url: `${api}/events`,
    html_url: `${web}/${kind}/${issue.number}`,
    id: issue.id,
    node_id: nodeId(issue.pull ? 'PullRequest' : 'Issue', issue.id),
    number: issue.number,
    title: issue.title,
    user: userOf(store, issue.author, urls),
    labels: [],
    state: issue.state,
    locked: issue.locked,
    assignee: null,
    assignees: [],
    milestone: null,
    comments: comments.length,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    closed_at: issue.closedAt,
    author_association: authorAssociation(store, repo, issue.author),
    active_lock_reason: null,
    ...(issue.pull
      ? {
          draft: issue.pull.draft,
          pull_request: {
            url: `${repoApi(repo, urls)}/pulls/${issue.number}`,
            html_url: `${web}/pull/${issue.number}`,
            diff_url: `${web}/pull/${issue.number}.diff`,
            patch_url: `${web}/pull/${issue.number}.patch`,
            merged_at: issue.pull.mergedAt,
          },
        }
      : {}),
    body: issue.body,
    reactions: reactions(api),
    timeline_url: `${api}/timeline`,
    performed_via_github_app: null,
    state_reason: issue.state === 'closed' ? 'completed' : null,
  };
}

export function commentJson(
  c: IssueCommentRecord,
  repo: RepoRecord,
  urls: Urls,
  store: Store,
): IssueComment {
  const api = `${repoApi(repo, urls)}/issues/comments/${c.id}`;
  const issue = repo.issues[c.issueNumber - 1];
  const kind = issue?.pull ? 'pull' : 'issues';
  return {
    url: api,
    html_url: `${repoWeb(repo, urls)}/${kind}/${c.issueNumber}#issuecomment-${
      c.id
    }`,
    issue_url: `${repoApi(repo, urls)}/issues/${c.issueNumber}`,
    id: c.id,
    node_id: nodeId('IssueComment', c.id),
    user: userOf(store, c.author, urls),
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    author_association: authorAssociation(store, repo, c.author),
    body: c.body,
    reactions: reactions(api),
    performed_via_github_app: null,
  };
}

/**
 * A pull request in the shape of `GET /repos/{o}/{r}/pulls/{n}` and of
 * `pull_request` payloads; `repoJson` renders the head and base repositories
 * (REST and webhooks differ slightly).
 */
export function pullJson(
  pr: PullRecord,
  repo: RepoRecord,
  urls: Urls,
  store: Store,
  stats: PullStats,
  repoJson: (r: RepoRecord) => Repository,
): PullRequest {
  const api = repoApi(repo, urls);
  const web = repoWeb(repo, urls);
  const n = pr.number;
  const p = pr.pull;
  const link = (href: string) => ({ href });
  const headOwner = p.headRepo?.owner.login ?? p.headOwner;
  return {
    url: `${api}/pulls/${n}`,
    id: p.id,
    node_id: nodeId('PullRequest', p.id),
    html_url: `${web}/pull/${n}`,
    diff_url: `${web}/pull/${n}.diff`,
    patch_url: `${web}/pull/${n}.patch`,
    issue_url: `${api}/issues/${n}`,
    number: n,
    state: pr.state,
    locked: pr.locked,
    title: pr.title,
    user: userOf(store, pr.author, urls),
    body: pr.body,
    created_at: pr.createdAt,
    updated_at: pr.updatedAt,
    closed_at: pr.closedAt,
    merged_at: p.mergedAt,
    merge_commit_sha: p.mergeCommitSha,
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
    statuses_url: `${api}/statuses/${p.headSha}`,
    head: {
      label: `${headOwner}:${p.head}`,
      ref: p.head,
      sha: p.headSha,
      user: userOf(store, headOwner, urls),
      repo: p.headRepo ? repoJson(p.headRepo) : null,
    },
    base: {
      label: `${repo.owner.login}:${p.base}`,
      ref: p.base,
      sha: p.baseSha,
      user: simpleUser(repo.owner, urls),
      repo: repoJson(repo),
    },
    _links: {
      self: link(`${api}/pulls/${n}`),
      html: link(`${web}/pull/${n}`),
      issue: link(`${api}/issues/${n}`),
      comments: link(`${api}/issues/${n}/comments`),
      review_comments: link(`${api}/pulls/${n}/comments`),
      review_comment: link(`${api}/pulls/comments{/number}`),
      commits: link(`${api}/pulls/${n}/commits`),
      statuses: link(`${api}/statuses/${p.headSha}`),
    },
    author_association: authorAssociation(store, repo, pr.author),
    auto_merge: null,
    active_lock_reason: null,
    draft: p.draft,
    merged: p.merged,
    mergeable: pr.state === 'open' ? true : null,
    rebaseable: pr.state === 'open' ? true : null,
    mergeable_state: pr.state === 'open' ? 'clean' : 'unknown',
    merged_by: p.mergedBy ? userOf(store, p.mergedBy, urls) : null,
    comments: repo.comments.filter(c => c.issueNumber === n).length,
    review_comments: 0,
    maintainer_can_modify: p.maintainerCanModify,
    commits: stats.commits,
    additions: stats.additions,
    deletions: stats.deletions,
    changed_files: stats.changedFiles,
  };
}

/** The list form (`pull-request-simple`): no merge state or counters. */
export function simplePull(full: PullRequest) {
  const {
    merged,
    mergeable,
    rebaseable,
    mergeable_state,
    merged_by,
    comments,
    review_comments,
    maintainer_can_modify,
    commits,
    additions,
    deletions,
    changed_files,
    ...simple
  } = full;
  return simple;
}
