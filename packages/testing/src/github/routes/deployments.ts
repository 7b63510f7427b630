import { ApiError, notFound, requireString, validationFailed } from '../errors';
import * as g from '../git';
import type {
  DeploymentRecord,
  DeploymentStatusRecord,
  RepoRecord,
} from '../model';
import type { Router } from '../router';
import { deployment, deploymentStatus } from '../serialize';
import { latestStatuses } from './checks';
import { Deps, isRecord, json, ok, paginate, repoFor } from './common';

const D = 'https://docs.github.com/rest/deployments';
const STATES = [
  'error',
  'failure',
  'inactive',
  'in_progress',
  'queued',
  'pending',
  'success',
];

/** GitHub accepts the payload as an object or as a JSON string. */
const parsePayload = (payload: unknown): Record<string, unknown> => {
  if (isRecord(payload)) return payload;
  if (typeof payload === 'string' && payload) return JSON.parse(payload);
  return {};
};

/** Deployments and their statuses (auto-merge is not simulated). */
export function registerDeployments(router: Router, deps: Deps): void {
  const find = (repo: RepoRecord, id: string) => {
    const d = repo.deployments.find(x => String(x.id) === id);
    if (!d) throw notFound();
    return d;
  };

  router.add(
    'POST',
    '/repos/:owner/:repo/deployments',
    `${D}/deployments#create-a-deployment`,
    async (req, p) => {
      const repo = repoFor(deps, req, p, 'write');
      const body = await req.body();
      const ref = requireString(body, 'ref', 'Deployment');
      const sha = await g.resolveCommit(repo.gitDir, ref);
      if (!sha) throw new ApiError(422, `No ref found for: ${ref}`);
      // GitHub verifies the commit statuses of the required contexts
      // (all contexts present on the commit when the list is omitted).
      const latest = latestStatuses(repo, sha);
      const required: string[] = Array.isArray(body.required_contexts)
        ? body.required_contexts.map(String)
        : latest.map(s => s.context);
      const failing = required.filter(
        c => latest.find(s => s.context === c)?.state !== 'success',
      );
      if (failing.length) {
        throw new ApiError(
          409,
          `Conflict: Commit status checks failed for ${ref}.`,
          {
            errors: failing.map(context => ({
              resource: 'Deployment',
              code: 'custom',
              field: 'required_contexts',
              message: `${context} is not successful`,
            })),
          },
        );
      }
      const environment =
        typeof body.environment === 'string' ? body.environment : 'production';
      const created = deps.store.now();
      const d: DeploymentRecord = {
        id: deps.store.nextId(),
        sha,
        ref,
        task: typeof body.task === 'string' ? body.task : 'deploy',
        payload: parsePayload(body.payload),
        environment,
        originalEnvironment: environment,
        description:
          typeof body.description === 'string' ? body.description : null,
        transientEnvironment: body.transient_environment === true,
        productionEnvironment:
          typeof body.production_environment === 'boolean'
            ? body.production_environment
            : environment === 'production',
        creator: req.login,
        createdAt: created,
        updatedAt: created,
        statuses: [],
      };
      repo.deployments.push(d);
      deps.dispatch(
        repo,
        'deployment',
        deps.payloads.deployment(repo, d.id, req.login),
      );
      return json(201, deployment(d, repo, deps.urls(), deps.store));
    },
  );

  router.add(
    'GET',
    '/repos/:owner/:repo/deployments',
    `${D}/deployments#list-deployments`,
    async (req, p) => {
      const repo = repoFor(deps, req, p);
      const q = req.query;
      const list = repo.deployments
        .filter(
          d =>
            (!q.get('sha') || d.sha === q.get('sha')) &&
            (!q.get('ref') || d.ref === q.get('ref')) &&
            (!q.get('task') || d.task === q.get('task')) &&
            (!q.get('environment') || d.environment === q.get('environment')),
        )
        .sort((a, b) => b.id - a.id)
        .map(d => deployment(d, repo, deps.urls(), deps.store));
      return paginate(req, list);
    },
  );

  router.add(
    'GET',
    '/repos/:owner/:repo/deployments/:id',
    `${D}/deployments#get-a-deployment`,
    async (req, p) => {
      const repo = repoFor(deps, req, p);
      return ok(deployment(find(repo, p.id), repo, deps.urls(), deps.store));
    },
  );

  router.add(
    'DELETE',
    '/repos/:owner/:repo/deployments/:id',
    `${D}/deployments#delete-a-deployment`,
    async (req, p) => {
      const repo = repoFor(deps, req, p, 'write');
      const d = find(repo, p.id);
      const active =
        d.statuses.length > 0 &&
        d.statuses[d.statuses.length - 1].state === 'success';
      if (active) {
        throw new ApiError(
          422,
          'We cannot delete an active deployment unless it is the only deployment in a given environment.',
        );
      }
      repo.deployments = repo.deployments.filter(x => x !== d);
      return { status: 204 };
    },
  );

  router.add(
    'POST',
    '/repos/:owner/:repo/deployments/:id/statuses',
    `${D}/statuses#create-a-deployment-status`,
    async (req, p) => {
      const repo = repoFor(deps, req, p, 'write');
      const d = find(repo, p.id);
      const body = await req.body();
      if (!STATES.includes(body.state)) {
        throw validationFailed({
          resource: 'DeploymentStatus',
          field: 'state',
          code: 'invalid',
        });
      }
      const created = deps.store.now();
      const s: DeploymentStatusRecord = {
        id: deps.store.nextId(),
        state: body.state,
        description:
          typeof body.description === 'string' ? body.description : '',
        environment:
          typeof body.environment === 'string'
            ? body.environment
            : d.environment,
        environmentUrl:
          typeof body.environment_url === 'string' ? body.environment_url : '',
        logUrl:
          [body.log_url, body.target_url].find(
            (v): v is string => typeof v === 'string',
          ) ?? '',
        creator: req.login,
        createdAt: created,
        updatedAt: created,
      };
      d.statuses.push(s);
      d.updatedAt = created;
      // auto_inactive (default true): earlier successful deployments to the
      // same environment become inactive.
      if (s.state === 'success' && body.auto_inactive !== false) {
        for (const other of repo.deployments) {
          const last = other.statuses[other.statuses.length - 1];
          if (
            other !== d &&
            other.environment === d.environment &&
            last?.state === 'success'
          ) {
            other.statuses.push({
              ...last,
              id: deps.store.nextId(),
              state: 'inactive',
              createdAt: created,
              updatedAt: created,
            });
          }
        }
      }
      return json(201, deploymentStatus(s, d, repo, deps.urls(), deps.store));
    },
  );

  router.add(
    'GET',
    '/repos/:owner/:repo/deployments/:id/statuses',
    `${D}/statuses#list-deployment-statuses`,
    async (req, p) => {
      const repo = repoFor(deps, req, p);
      const d = find(repo, p.id);
      return paginate(
        req,
        [...d.statuses]
          .reverse()
          .map(s => deploymentStatus(s, d, repo, deps.urls(), deps.store)),
      );
    },
  );

  router.add(
    'GET',
    '/repos/:owner/:repo/deployments/:id/statuses/:status_id',
    `${D}/statuses#get-a-deployment-status`,
    async (req, p) => {
      const repo = repoFor(deps, req, p);
      const d = find(repo, p.id);
      const s = d.statuses.find(x => String(x.id) === p.status_id);
      if (!s) throw notFound();
      return ok(deploymentStatus(s, d, repo, deps.urls(), deps.store));
    },
  );
}
