import { ApiError, notFound, validationFailed } from '../errors';
import type { RepoRecord, Role, UserRecord } from '../model';
import { forkRepo, sourceOf } from '../repoOps';
import type { Router } from '../router';
import { repository, RestRepository, Urls } from '../serialize';
import { Deps, json, paginate, repoFor } from './common';

const D = 'https://docs.github.com/rest/repos/forks';

/**
 * The full repository of `GET /repos/{o}/{r}`: a fork also names its
 * `parent` and the `source` of its network.
 */
export function fullRepository(
  r: RepoRecord,
  urls: Urls,
  viewerRole?: Role,
): RestRepository & { parent?: RestRepository; source?: RestRepository } {
  const base = repository(r, urls, viewerRole);
  if (!r.parent) return base;
  return {
    ...base,
    parent: repository(r.parent, urls),
    source: repository(sourceOf(r), urls),
  };
}

/**
 * Forks `parent` into `owner`'s account for `login`: any user may fork a
 * repository they can read into their own account, or into an organization
 * they belong to.
 */
export async function createFork(
  deps: Deps,
  parent: RepoRecord,
  login: string,
  options: {
    organization?: string;
    name?: string;
    defaultBranchOnly?: boolean;
  },
): Promise<RepoRecord> {
  const { store } = deps;
  let owner: UserRecord;
  if (options.organization !== undefined) {
    const org = store.user(options.organization);
    if (!org) throw notFound();
    if (org.type !== 'Organization') {
      throw new ApiError(
        422,
        `'${org.login}' is the login for a user account. You must pass the login for an organization account.`,
      );
    }
    if (!org.members.has(login.toLowerCase())) {
      throw new ApiError(
        403,
        'You need admin access to the organization before adding a repository to it.',
      );
    }
    owner = org;
  } else {
    owner = store.user(login)!;
  }
  if (owner === parent.owner) {
    throw validationFailed({
      resource: 'Repository',
      code: 'custom',
      message: 'You cannot fork a repository into the account that owns it.',
    });
  }
  if (
    options.name !== undefined &&
    !/^[A-Za-z0-9_.-]{1,100}$/.test(options.name)
  ) {
    throw validationFailed({
      resource: 'Repository',
      field: 'name',
      code: 'invalid',
    });
  }
  return forkRepo(store, deps.gitRoot, parent, owner, {
    name: options.name,
    defaultBranchOnly: options.defaultBranchOnly,
  });
}

/** Forks: create (202, at once) and list. */
export function registerForks(router: Router, deps: Deps): void {
  const { store } = deps;

  router.add(
    'POST',
    '/repos/:owner/:repo/forks',
    `${D}#create-a-fork`,
    async (req, p) => {
      const parent = repoFor(deps, req, p);
      const body = await req.body();
      const fork = await createFork(deps, parent, req.login, {
        organization:
          typeof body.organization === 'string' ? body.organization : undefined,
        name: typeof body.name === 'string' ? body.name : undefined,
        defaultBranchOnly: body.default_branch_only === true,
      });
      return json(
        202,
        fullRepository(fork, deps.urls(), store.role(req.login, fork)),
      );
    },
  );

  router.add(
    'GET',
    '/repos/:owner/:repo/forks',
    `${D}#list-forks`,
    async (req, p) => {
      const repo = repoFor(deps, req, p);
      const sort = req.query.get('sort') ?? 'newest';
      if (!['newest', 'oldest', 'stargazers', 'watchers'].includes(sort)) {
        throw validationFailed({
          resource: 'Repository',
          field: 'sort',
          code: 'invalid',
        });
      }
      const forks = repo.forks
        .filter(f => store.role(req.login, f) !== undefined)
        .sort((a, b) => (sort === 'oldest' ? a.id - b.id : b.id - a.id));
      return paginate(
        req,
        forks.map(f => repository(f, deps.urls(), store.role(req.login, f))),
      );
    },
  );
}
