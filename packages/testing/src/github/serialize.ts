import type { Deployment, Repository, User } from '@octokit/webhooks-types';
import type {
  CheckRunRecord,
  DeploymentRecord,
  DeploymentStatusRecord,
  HookRecord,
  RepoRecord,
  Role,
  StatusRecord,
  Store,
  UserRecord,
} from './model';

/** Where the double is reachable: the REST API base and the web/git root. */
export interface Urls {
  api: string;
  web: string;
}

/** GitHub's legacy global node id format. */
export const nodeId = (kind: string, id: number) =>
  Buffer.from(`04:${kind}${id}`).toString('base64');

export function simpleUser(u: UserRecord, urls: Urls): User {
  const base = `${urls.api}/users/${u.login}`;
  return {
    login: u.login,
    id: u.id,
    node_id: nodeId(u.type, u.id),
    avatar_url: `${urls.web}/avatars/u/${u.id}?v=4`,
    gravatar_id: '',
    url: base,
    html_url: `${urls.web}/${u.login}`,
    followers_url: `${base}/followers`,
    following_url: `${base}/following{/other_user}`,
    gists_url: `${base}/gists{/gist_id}`,
    starred_url: `${base}/starred{/owner}{/repo}`,
    subscriptions_url: `${base}/subscriptions`,
    organizations_url: `${base}/orgs`,
    repos_url: `${base}/repos`,
    events_url: `${base}/events{/privacy}`,
    received_events_url: `${base}/received_events`,
    type: u.type,
    site_admin: false,
  };
}

const ownedRepos = (store: Store, u: UserRecord) =>
  [...store.repos.values()].filter(r => r.owner === u);

/** `GET /users/{username}` (users and organizations alike). */
export function publicUser(u: UserRecord, urls: Urls, store: Store) {
  const repos = ownedRepos(store, u);
  return {
    ...simpleUser(u, urls),
    user_view_type: 'public',
    name: u.name,
    company: null,
    blog: '',
    location: null,
    email: u.email,
    hireable: null,
    bio: null,
    twitter_username: null,
    public_repos: repos.filter(r => !r.private).length,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: u.createdAt,
    updated_at: u.createdAt,
  };
}

/** `GET /user`: the public profile plus the private counters. */
export function privateUser(u: UserRecord, urls: Urls, store: Store) {
  const repos = ownedRepos(store, u);
  return {
    ...publicUser(u, urls, store),
    user_view_type: 'private',
    private_gists: 0,
    total_private_repos: repos.filter(r => r.private).length,
    owned_private_repos: repos.filter(r => r.private).length,
    disk_usage: 0,
    collaborators: 0,
    two_factor_authentication: true,
    plan: {
      name: 'pro',
      space: 976562499,
      collaborators: 0,
      private_repos: 9999,
    },
  };
}

export function organization(o: UserRecord, urls: Urls, store: Store) {
  const base = `${urls.api}/orgs/${o.login}`;
  const repos = ownedRepos(store, o);
  return {
    login: o.login,
    id: o.id,
    node_id: nodeId('Organization', o.id),
    url: base,
    repos_url: `${base}/repos`,
    events_url: `${base}/events`,
    hooks_url: `${base}/hooks`,
    issues_url: `${base}/issues`,
    members_url: `${base}/members{/member}`,
    public_members_url: `${base}/public_members{/member}`,
    avatar_url: `${urls.web}/avatars/u/${o.id}?v=4`,
    description: null,
    name: o.name,
    company: null,
    blog: '',
    location: null,
    email: null,
    twitter_username: null,
    is_verified: false,
    has_organization_projects: true,
    has_repository_projects: true,
    public_repos: repos.filter(r => !r.private).length,
    public_gists: 0,
    followers: 0,
    following: 0,
    html_url: `${urls.web}/${o.login}`,
    created_at: o.createdAt,
    updated_at: o.createdAt,
    archived_at: null,
    type: 'Organization',
    total_private_repos: repos.filter(r => r.private).length,
    owned_private_repos: repos.filter(r => r.private).length,
  };
}

const permissions = (role: Role | undefined) => ({
  admin: role === 'admin',
  maintain: role === 'admin' || role === 'maintain',
  push: role === 'admin' || role === 'maintain' || role === 'write',
  triage: role !== undefined && role !== 'read',
  pull: role !== undefined,
});

/** The REST repository object (webhooks use {@link webhookRepository}). */
export type RestRepository = Omit<Repository, 'organization'> & {
  organization?: User;
  network_count: number;
  subscribers_count: number;
};

export function repository(
  r: RepoRecord,
  urls: Urls,
  viewerRole?: Role,
): RestRepository {
  const full = `${r.owner.login}/${r.name}`;
  const api = `${urls.api}/repos/${full}`;
  const host = new URL(urls.web).host;
  return {
    id: r.id,
    node_id: nodeId('Repository', r.id),
    name: r.name,
    full_name: full,
    private: r.private,
    owner: simpleUser(r.owner, urls),
    html_url: `${urls.web}/${full}`,
    description: r.description,
    fork: r.parent !== null,
    url: api,
    forks_url: `${api}/forks`,
    keys_url: `${api}/keys{/key_id}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    teams_url: `${api}/teams`,
    hooks_url: `${api}/hooks`,
    issue_events_url: `${api}/issues/events{/number}`,
    events_url: `${api}/events`,
    assignees_url: `${api}/assignees{/user}`,
    branches_url: `${api}/branches{/branch}`,
    tags_url: `${api}/tags`,
    blobs_url: `${api}/git/blobs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    trees_url: `${api}/git/trees{/sha}`,
    statuses_url: `${api}/statuses/{sha}`,
    languages_url: `${api}/languages`,
    stargazers_url: `${api}/stargazers`,
    contributors_url: `${api}/contributors`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    commits_url: `${api}/commits{/sha}`,
    git_commits_url: `${api}/git/commits{/sha}`,
    comments_url: `${api}/comments{/number}`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    contents_url: `${api}/contents/{+path}`,
    compare_url: `${api}/compare/{base}...{head}`,
    merges_url: `${api}/merges`,
    archive_url: `${api}/{archive_format}{/ref}`,
    downloads_url: `${api}/downloads`,
    issues_url: `${api}/issues{/number}`,
    pulls_url: `${api}/pulls{/number}`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    labels_url: `${api}/labels{/name}`,
    releases_url: `${api}/releases{/id}`,
    deployments_url: `${api}/deployments`,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
    pushed_at: r.pushedAt,
    git_url: `git://${host}/${full}.git`,
    ssh_url: `git@${host}:${full}.git`,
    clone_url: `${urls.web}/${full}.git`,
    svn_url: `${urls.web}/${full}`,
    homepage: r.homepage,
    size: 0,
    stargazers_count: 0,
    watchers_count: 0,
    language: null,
    has_issues: r.settings.has_issues !== false,
    has_projects: r.settings.has_projects !== false,
    has_downloads: true,
    has_wiki: r.settings.has_wiki !== false,
    has_pages: false,
    has_discussions: false,
    forks_count: r.forks.length,
    mirror_url: null,
    archived: false,
    disabled: false,
    open_issues_count: 0,
    license: null,
    allow_forking: true,
    is_template: false,
    web_commit_signoff_required: false,
    topics: r.topics,
    visibility: r.visibility,
    forks: r.forks.length,
    open_issues: 0,
    watchers: 0,
    default_branch: r.defaultBranch,
    permissions: viewerRole ? permissions(viewerRole) : undefined,
    allow_squash_merge: r.settings.allow_squash_merge !== false,
    allow_merge_commit: r.settings.allow_merge_commit !== false,
    allow_rebase_merge: r.settings.allow_rebase_merge !== false,
    allow_auto_merge: r.settings.allow_auto_merge === true,
    delete_branch_on_merge: r.settings.delete_branch_on_merge === true,
    allow_update_branch: r.settings.allow_update_branch === true,
    custom_properties: {},
    network_count: 0,
    subscribers_count: 0,
    ...(r.owner.type === 'Organization'
      ? { organization: simpleUser(r.owner, urls) }
      : {}),
  };
}

/**
 * The repository as webhook payloads carry it: `organization` is the login,
 * and push events use epoch seconds for the timestamps.
 */
export function webhookRepository(
  r: RepoRecord,
  urls: Urls,
  epochTimes = false,
): Repository {
  const {
    organization: org,
    network_count,
    subscribers_count,
    permissions: _,
    ...rest
  } = repository(r, urls);
  const epoch = (iso: string | null) =>
    iso === null ? null : Math.floor(Date.parse(iso) / 1000);
  return {
    ...rest,
    ...(org ? { organization: org.login } : {}),
    ...(epochTimes
      ? { created_at: epoch(r.createdAt)!, pushed_at: epoch(r.pushedAt) }
      : {}),
    stargazers: 0,
    master_branch: r.defaultBranch,
  };
}

export function hook(h: HookRecord, r: RepoRecord, urls: Urls) {
  const api = `${urls.api}/repos/${r.owner.login}/${r.name}/hooks/${h.id}`;
  return {
    type: 'Repository' as const,
    id: h.id,
    name: h.name,
    active: h.active,
    events: h.events,
    config: {
      content_type: h.config.content_type,
      insecure_ssl: h.config.insecure_ssl,
      url: h.config.url,
      // GitHub never echoes a secret back.
      ...(h.config.secret ? { secret: '********' } : {}),
    },
    updated_at: h.updatedAt,
    created_at: h.createdAt,
    url: api,
    test_url: `${api}/test`,
    ping_url: `${api}/pings`,
    deliveries_url: `${api}/deliveries`,
    last_response: h.lastResponse,
  };
}

export function commitStatus(
  s: StatusRecord,
  r: RepoRecord,
  urls: Urls,
  store: Store,
) {
  const creator = store.user(s.creator);
  return {
    url: `${urls.api}/repos/${r.owner.login}/${r.name}/statuses/${s.sha}`,
    avatar_url: creator ? `${urls.web}/avatars/u/${creator.id}?v=4` : null,
    id: s.id,
    node_id: nodeId('StatusContext', s.id),
    state: s.state,
    description: s.description,
    target_url: s.targetUrl,
    context: s.context,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
    creator: creator ? simpleUser(creator, urls) : null,
  };
}

export function checkRun(c: CheckRunRecord, r: RepoRecord, urls: Urls) {
  const api = `${urls.api}/repos/${r.owner.login}/${r.name}`;
  return {
    id: c.id,
    head_sha: c.headSha,
    node_id: nodeId('CheckRun', c.id),
    external_id: c.externalId ?? '',
    url: `${api}/check-runs/${c.id}`,
    html_url: `${urls.web}/${r.owner.login}/${r.name}/runs/${c.id}`,
    details_url:
      c.detailsUrl ?? `${urls.web}/${r.owner.login}/${r.name}/runs/${c.id}`,
    status: c.status,
    conclusion: c.conclusion,
    started_at: c.startedAt,
    completed_at: c.completedAt,
    output: {
      title: c.output.title,
      summary: c.output.summary,
      text: c.output.text,
      annotations_count: 0,
      annotations_url: `${api}/check-runs/${c.id}/annotations`,
    },
    name: c.name,
    check_suite: { id: c.suiteId },
    app: null,
    pull_requests: [],
  };
}

export function deployment(
  d: DeploymentRecord,
  r: RepoRecord,
  urls: Urls,
  store: Store,
): Deployment {
  const api = `${urls.api}/repos/${r.owner.login}/${r.name}`;
  const creator = store.user(d.creator)!;
  return {
    url: `${api}/deployments/${d.id}`,
    id: d.id,
    node_id: nodeId('Deployment', d.id),
    sha: d.sha,
    ref: d.ref,
    task: d.task,
    payload: d.payload,
    original_environment: d.originalEnvironment,
    environment: d.environment,
    description: d.description,
    creator: simpleUser(creator, urls),
    created_at: d.createdAt,
    updated_at: d.updatedAt,
    statuses_url: `${api}/deployments/${d.id}/statuses`,
    repository_url: api,
    transient_environment: d.transientEnvironment,
    production_environment: d.productionEnvironment,
    performed_via_github_app: null,
  };
}

export function deploymentStatus(
  s: DeploymentStatusRecord,
  d: DeploymentRecord,
  r: RepoRecord,
  urls: Urls,
  store: Store,
) {
  const api = `${urls.api}/repos/${r.owner.login}/${r.name}`;
  const creator = store.user(s.creator)!;
  return {
    url: `${api}/deployments/${d.id}/statuses/${s.id}`,
    id: s.id,
    node_id: nodeId('DeploymentStatus', s.id),
    state: s.state,
    creator: simpleUser(creator, urls),
    description: s.description,
    environment: s.environment,
    target_url: s.logUrl,
    log_url: s.logUrl,
    environment_url: s.environmentUrl,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
    deployment_url: `${api}/deployments/${d.id}`,
    repository_url: api,
    performed_via_github_app: null,
  };
}
