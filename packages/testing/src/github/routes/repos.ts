import { ApiError, notFound, requireString, validationFailed } from '../errors';
import * as g from '../git';
import type { RepoRecord, Role } from '../model';
import { createRepo, deleteRepo } from '../repoOps';
import type { ApiRequest, Router } from '../router';
import { repository, simpleUser } from '../serialize';
import { parsePermission } from './accounts';
import { fullRepository } from './forks';
import { Deps, json, noContent, ok, paginate, repoFor } from './common';

const D = 'https://docs.github.com/rest';

const SETTINGS = [
  'has_issues',
  'has_projects',
  'has_wiki',
  'allow_squash_merge',
  'allow_merge_commit',
  'allow_rebase_merge',
  'allow_auto_merge',
  'allow_update_branch',
  'delete_branch_on_merge',
  'squash_merge_commit_title',
  'squash_merge_commit_message',
];

const pickSettings = (body: Record<string, unknown>) => {
  const out: Record<string, boolean | string> = {};
  for (const key of SETTINGS) {
    const v = body[key];
    if (typeof v === 'boolean' || typeof v === 'string') out[key] = v;
  }
  return out;
};

const VISIBILITIES = ['public', 'private', 'internal'];

/** Repositories, topics, collaborators and branch protection. */
export function registerRepos(router: Router, deps: Deps): void {
  const { store } = deps;
  const view = (req: ApiRequest, repo: RepoRecord) =>
    repository(repo, deps.urls(), store.role(req.login, repo));

  const create = async (req: ApiRequest, ownerLogin: string) => {
    const owner = store.user(ownerLogin);
    if (!owner) throw notFound();
    if (
      owner.type === 'Organization' &&
      !owner.members.has(req.login.toLowerCase())
    ) {
      throw new ApiError(
        403,
        'You need admin access to the organization before adding a repository to it.',
      );
    }
    const body = await req.body();
    const name = requireString(body, 'name', 'Repository');
    if (
      body.visibility !== undefined &&
      !VISIBILITIES.includes(body.visibility)
    ) {
      throw validationFailed({
        resource: 'Repository',
        field: 'visibility',
        code: 'invalid',
      });
    }
    const repo = await createRepo(store, deps.gitRoot, owner, name, req.login, {
      description:
        typeof body.description === 'string' ? body.description : null,
      homepage: typeof body.homepage === 'string' ? body.homepage : null,
      private: body.private === true,
      visibility: body.visibility,
      autoInit: body.auto_init === true,
      defaultBranch:
        typeof body.default_branch === 'string'
          ? body.default_branch
          : undefined,
      settings: pickSettings(body),
    });
    return json(201, view(req, repo));
  };

  router.add(
    'POST',
    '/orgs/:org/repos',
    `${D}/repos/repos#create-an-organization-repository`,
    (req, p) => create(req, p.org),
  );
  router.add(
    'POST',
    '/user/repos',
    `${D}/repos/repos#create-a-repository-for-the-authenticated-user`,
    req => create(req, req.login),
  );

  router.add(
    'GET',
    '/repos/:owner/:repo',
    `${D}/repos/repos#get-a-repository`,
    async (req, p) => {
      const repo = repoFor(deps, req, p);
      return ok(fullRepository(repo, deps.urls(), store.role(req.login, repo)));
    },
  );

  router.add(
    'PATCH',
    '/repos/:owner/:repo',
    `${D}/repos/repos#update-a-repository`,
    async (req, p) => {
      const repo = repoFor(deps, req, p, 'admin');
      const body = await req.body();
      if (typeof body.description === 'string')
        repo.description = body.description;
      if (typeof body.homepage === 'string') repo.homepage = body.homepage;
      if (typeof body.private === 'boolean') {
        repo.private = body.private;
        repo.visibility = body.private ? 'private' : 'public';
      }
      if (VISIBILITIES.includes(body.visibility)) {
        repo.visibility = body.visibility;
        repo.private = body.visibility !== 'public';
      }
      if (typeof body.default_branch === 'string') {
        if (
          !(await g.resolveCommit(
            repo.gitDir,
            `refs/heads/${body.default_branch}`,
          ))
        ) {
          throw validationFailed({
            resource: 'Repository',
            field: 'default_branch',
            code: 'invalid',
            message: `The branch ${body.default_branch} was not found. Please push that ref first or create it via the Git Data API.`,
          });
        }
        repo.defaultBranch = body.default_branch;
        await g.setHead(repo.gitDir, repo.defaultBranch);
      }
      Object.assign(repo.settings, pickSettings(body));
      repo.updatedAt = deps.store.now();
      return ok(view(req, repo));
    },
  );

  router.add(
    'DELETE',
    '/repos/:owner/:repo',
    `${D}/repos/repos#delete-a-repository`,
    async (req, p) => {
      await deleteRepo(store, repoFor(deps, req, p, 'admin'));
      return noContent();
    },
  );

  const listFor = (req: ApiRequest, filter: (r: RepoRecord) => boolean) =>
    [...store.repos.values()]
      .filter(r => filter(r) && store.role(req.login, r) !== undefined)
      .sort((a, b) => a.id - b.id)
      .map(r => view(req, r));

  router.add(
    'GET',
    '/orgs/:org/repos',
    `${D}/repos/repos#list-organization-repositories`,
    async (req, p) => {
      const org = store.user(p.org);
      if (!org || org.type !== 'Organization') throw notFound();
      const type = req.query.get('type') ?? 'all';
      return paginate(
        req,
        listFor(
          req,
          r =>
            r.owner === org &&
            (type !== 'public' || !r.private) &&
            (type !== 'private' || r.private),
        ),
      );
    },
  );

  router.add(
    'GET',
    '/user/repos',
    `${D}/repos/repos#list-repositories-for-the-authenticated-user`,
    async req =>
      paginate(
        req,
        listFor(req, r => {
          const role = store.role(req.login, r);
          return role !== undefined && (r.private || role !== 'read');
        }),
      ),
  );

  router.add(
    'GET',
    '/users/:username/repos',
    `${D}/repos/repos#list-repositories-for-a-user`,
    async (req, p) => {
      const user = store.user(p.username);
      if (!user) throw notFound();
      return paginate(
        req,
        listFor(req, r => r.owner === user && !r.private),
      );
    },
  );

  router.add(
    'GET',
    '/repos/:owner/:repo/topics',
    `${D}/repos/repos#get-all-repository-topics`,
    async (req, p) => ok({ names: repoFor(deps, req, p).topics }),
  );
  router.add(
    'PUT',
    '/repos/:owner/:repo/topics',
    `${D}/repos/repos#replace-all-repository-topics`,
    async (req, p) => {
      const repo = repoFor(deps, req, p, 'admin');
      const body = await req.body();
      if (!Array.isArray(body.names)) {
        throw validationFailed({
          resource: 'Repository',
          field: 'names',
          code: 'missing_field',
        });
      }
      const bad = body.names.find(
        (n: unknown) =>
          typeof n !== 'string' || !/^[a-z0-9][a-z0-9-]{0,49}$/.test(n),
      );
      if (bad !== undefined) {
        throw validationFailed({
          resource: 'Repository',
          field: 'topics',
          code: 'invalid',
          message: `${bad} is not a valid topic`,
        });
      }
      repo.topics = [...new Set<string>(body.names)];
      return ok({ names: repo.topics });
    },
  );

  registerCollaborators(router, deps);
  registerProtection(router, deps);
}

const LEGACY: Record<Role, string> = {
  admin: 'admin',
  maintain: 'write',
  write: 'write',
  triage: 'read',
  read: 'read',
};

function registerCollaborators(router: Router, deps: Deps): void {
  const { store } = deps;
  const C = `${D}/collaborators/collaborators`;

  router.add(
    'GET',
    '/repos/:owner/:repo/collaborators',
    `${C}#list-repository-collaborators`,
    async (req, p) => {
      const repo = repoFor(deps, req, p, 'write');
      const logins = new Set<string>([...repo.collaborators.keys()]);
      if (repo.owner.type === 'User')
        logins.add(repo.owner.login.toLowerCase());
      repo.owner.members.forEach(m => logins.add(m));
      const users = [...logins]
        .map(l => store.user(l))
        .filter(u => u !== undefined)
        .map(u => {
          const role = store.role(u.login, repo)!;
          return {
            ...simpleUser(u, deps.urls()),
            permissions: {
              admin: role === 'admin',
              maintain: role === 'admin' || role === 'maintain',
              push: ['admin', 'maintain', 'write'].includes(role),
              triage: role !== 'read',
              pull: true,
            },
            role_name: role,
          };
        });
      return paginate(req, users);
    },
  );

  router.add(
    'GET',
    '/repos/:owner/:repo/collaborators/:username',
    `${C}#check-if-a-user-is-a-repository-collaborator`,
    async (req, p) => {
      const repo = repoFor(deps, req, p);
      const user = store.user(p.username);
      const role = user && store.role(user.login, repo);
      if (
        !user ||
        !role ||
        (!repo.private &&
          role === 'read' &&
          !repo.collaborators.has(user.login.toLowerCase()))
      ) {
        throw notFound();
      }
      return noContent();
    },
  );

  router.add(
    'PUT',
    '/repos/:owner/:repo/collaborators/:username',
    `${C}#add-a-repository-collaborator`,
    async (req, p) => {
      const repo = repoFor(deps, req, p, 'admin');
      const user = store.user(p.username);
      if (!user || user.type !== 'User') throw notFound();
      const body = await req.body();
      const role = parsePermission(body.permission, 'write');
      const key = user.login.toLowerCase();
      const existed =
        repo.collaborators.has(key) || store.role(user.login, repo) === 'admin';
      // Simplified: the invitation is accepted at once.
      repo.collaborators.set(key, role);
      if (existed) return noContent();
      const inviter = store.user(req.login)!;
      return json(201, {
        id: store.nextId(),
        node_id: Buffer.from(`04:RepositoryInvitation${user.id}`).toString(
          'base64',
        ),
        repository: repository(repo, deps.urls()),
        invitee: simpleUser(user, deps.urls()),
        inviter: simpleUser(inviter, deps.urls()),
        permissions: role,
        created_at: deps.store.now(),
        expired: false,
        url: `${deps.urls().api}/user/repository_invitations/${user.id}`,
        html_url: `${deps.urls().web}/${repo.owner.login}/${
          repo.name
        }/invitations`,
      });
    },
  );

  router.add(
    'DELETE',
    '/repos/:owner/:repo/collaborators/:username',
    `${C}#remove-a-repository-collaborator`,
    async (req, p) => {
      const repo = repoFor(deps, req, p, 'admin');
      repo.collaborators.delete(p.username.toLowerCase());
      return noContent();
    },
  );

  router.add(
    'GET',
    '/repos/:owner/:repo/collaborators/:username/permission',
    `${C}#get-repository-permissions-for-a-user`,
    async (req, p) => {
      const repo = repoFor(deps, req, p);
      const user = store.user(p.username);
      if (!user) throw notFound();
      const role = store.role(user.login, repo);
      return ok({
        permission: role ? LEGACY[role] : 'none',
        role_name: role ?? 'none',
        user: simpleUser(user, deps.urls()),
      });
    },
  );
}

function registerProtection(router: Router, deps: Deps): void {
  const P = `${D}/branches/branch-protection`;
  const REQUIRED = [
    'required_status_checks',
    'enforce_admins',
    'required_pull_request_reviews',
    'restrictions',
  ];

  const render = (
    repo: RepoRecord,
    branch: string,
    body: Record<string, any>,
  ) => {
    const url = `${deps.urls().api}/repos/${repo.owner.login}/${
      repo.name
    }/branches/${branch}/protection`;
    const checks = body.required_status_checks;
    const reviews = body.required_pull_request_reviews;
    const flag = (name: string, value: unknown) => ({
      url: `${url}/${name}`,
      enabled: value === true,
    });
    return {
      url,
      ...(checks
        ? {
            required_status_checks: {
              url: `${url}/required_status_checks`,
              strict: checks.strict === true,
              contexts: checks.contexts ?? [],
              contexts_url: `${url}/required_status_checks/contexts`,
              checks: (checks.contexts ?? []).map((context: string) => ({
                context,
                app_id: null,
              })),
            },
          }
        : {}),
      ...(reviews
        ? {
            required_pull_request_reviews: {
              url: `${url}/required_pull_request_reviews`,
              dismiss_stale_reviews: reviews.dismiss_stale_reviews === true,
              require_code_owner_reviews:
                reviews.require_code_owner_reviews === true,
              required_approving_review_count:
                reviews.required_approving_review_count ?? 1,
              require_last_push_approval:
                reviews.require_last_push_approval === true,
            },
          }
        : {}),
      ...(body.restrictions
        ? { restrictions: { url: `${url}/restrictions`, ...body.restrictions } }
        : {}),
      required_signatures: flag('required_signatures', false),
      enforce_admins: flag('enforce_admins', body.enforce_admins),
      required_linear_history: {
        enabled: body.required_linear_history === true,
      },
      allow_force_pushes: { enabled: body.allow_force_pushes === true },
      allow_deletions: { enabled: body.allow_deletions === true },
      block_creations: { enabled: body.block_creations === true },
      required_conversation_resolution: {
        enabled: body.required_conversation_resolution === true,
      },
      lock_branch: { enabled: body.lock_branch === true },
      allow_fork_syncing: { enabled: body.allow_fork_syncing === true },
    };
  };

  const branchOf = async (repo: RepoRecord, branch: string) => {
    if (!(await g.resolveCommit(repo.gitDir, `refs/heads/${branch}`))) {
      throw new ApiError(404, 'Branch not found');
    }
  };

  router.add(
    'PUT',
    '/repos/:owner/:repo/branches/*branch/protection',
    `${P}#update-branch-protection`,
    async (req, p) => {
      const repo = repoFor(deps, req, p, 'admin');
      const body = await req.body();
      const missing = REQUIRED.filter(k => !(k in body));
      if (missing.length) {
        throw new ApiError(
          422,
          `Invalid request.\n\n${missing
            .map(k => `"${k}" wasn't supplied.`)
            .join('\n')}`,
        );
      }
      await branchOf(repo, p.branch);
      repo.protection.set(p.branch, body);
      return ok(render(repo, p.branch, body));
    },
  );

  router.add(
    'GET',
    '/repos/:owner/:repo/branches/*branch/protection',
    `${P}#get-branch-protection`,
    async (req, p) => {
      const repo = repoFor(deps, req, p, 'admin');
      await branchOf(repo, p.branch);
      const body = repo.protection.get(p.branch);
      if (!body) throw new ApiError(404, 'Branch not protected');
      return ok(render(repo, p.branch, body));
    },
  );

  router.add(
    'DELETE',
    '/repos/:owner/:repo/branches/*branch/protection',
    `${P}#delete-branch-protection`,
    async (req, p) => {
      const repo = repoFor(deps, req, p, 'admin');
      await branchOf(repo, p.branch);
      if (!repo.protection.delete(p.branch))
        throw new ApiError(404, 'Branch not protected');
      return noContent();
    },
  );
}
