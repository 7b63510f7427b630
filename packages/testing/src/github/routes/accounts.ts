import { ApiError, notFound, validationFailed } from '../errors';
import type { Role } from '../model';
import type { Router } from '../router';
import {
  organization,
  privateUser,
  publicUser,
  simpleUser,
} from '../serialize';
import { Deps, noContent, ok, repoFor } from './common';

const D = 'https://docs.github.com/rest';
const PERMISSIONS: Record<string, Role> = {
  pull: 'read',
  read: 'read',
  triage: 'triage',
  push: 'write',
  write: 'write',
  maintain: 'maintain',
  admin: 'admin',
};

export function parsePermission(value: unknown, fallback: Role): Role {
  if (value === undefined) return fallback;
  const role = typeof value === 'string' ? PERMISSIONS[value] : undefined;
  if (!role) {
    throw validationFailed({
      resource: 'Repository',
      field: 'permission',
      code: 'invalid',
    });
  }
  return role;
}

/** Users, organizations, teams and the rate limit endpoint. */
export function registerAccounts(router: Router, deps: Deps): void {
  const { store } = deps;

  router.add(
    'GET',
    '/user',
    `${D}/users/users#get-the-authenticated-user`,
    async req => ok(privateUser(store.user(req.login)!, deps.urls(), store)),
  );

  router.add(
    'GET',
    '/users/:username',
    `${D}/users/users#get-a-user`,
    async (_req, p) => {
      const user = store.user(p.username);
      if (!user) throw notFound();
      return ok(publicUser(user, deps.urls(), store));
    },
  );

  router.add(
    'GET',
    '/orgs/:org',
    `${D}/orgs/orgs#get-an-organization`,
    async (_req, p) => {
      const org = store.user(p.org);
      if (!org || org.type !== 'Organization') throw notFound();
      return ok(organization(org, deps.urls(), store));
    },
  );

  const teamJson = (org: string, slug: string) => {
    const team = store.team(org, slug);
    if (!team) throw notFound();
    const api = `${deps.urls().api}/organizations/${store.user(org)!.id}/team/${
      team.id
    }`;
    return {
      name: team.name,
      id: team.id,
      node_id: Buffer.from(`04:Team${team.id}`).toString('base64'),
      slug: team.slug,
      description: null,
      privacy: 'closed',
      notification_setting: 'notifications_enabled',
      url: api,
      html_url: `${deps.urls().web}/orgs/${org}/teams/${team.slug}`,
      members_url: `${api}/members{/member}`,
      repositories_url: `${api}/repos`,
      permission: 'pull',
      parent: null,
      members_count: team.members.size,
      repos_count: [...store.repos.values()].filter(r =>
        r.teams.has(team.slug.toLowerCase()),
      ).length,
      organization: simpleUser(store.user(org)!, deps.urls()),
    };
  };

  router.add(
    'GET',
    '/orgs/:org/teams/:team_slug',
    `${D}/teams/teams#get-a-team-by-name`,
    async (_req, p) => ok(teamJson(p.org, p.team_slug)),
  );

  router.add(
    'PUT',
    '/orgs/:org/teams/:team_slug/repos/:owner/:repo',
    `${D}/teams/teams#add-or-update-team-repository-permissions`,
    async (req, p) => {
      const team = store.team(p.org, p.team_slug);
      if (!team) throw notFound();
      const repo = repoFor(deps, req, p, 'admin');
      if (repo.owner.login.toLowerCase() !== p.org.toLowerCase()) {
        throw new ApiError(422, 'Validation Failed', {
          errors: [
            {
              resource: 'TeamRepository',
              code: 'custom',
              message: 'Repository must be owned by the organization',
            },
          ],
        });
      }
      const body = await req.body();
      repo.teams.set(
        team.slug.toLowerCase(),
        parsePermission(body.permission, 'read'),
      );
      return noContent();
    },
  );

  router.add(
    'GET',
    '/rate_limit',
    `${D}/rate-limit/rate-limit#get-rate-limit-status-for-the-authenticated-user`,
    async req => {
      const s = deps.rate.snapshot(req.token);
      const core = {
        limit: s.limit,
        used: s.used,
        remaining: s.remaining,
        reset: s.reset,
      };
      return ok({ resources: { core }, rate: core });
    },
  );
}
