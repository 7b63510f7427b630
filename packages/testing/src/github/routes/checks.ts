import { ApiError, notFound, requireString, validationFailed } from '../errors';
import * as g from '../git';
import type {
  CheckRunRecord,
  CommitState,
  RepoRecord,
  StatusRecord,
} from '../model';
import type { Router } from '../router';
import { checkRun, commitStatus, repository } from '../serialize';
import { Deps, isRecord, json, ok, paginate, repoFor } from './common';

const S = 'https://docs.github.com/rest/commits/statuses';
const K = 'https://docs.github.com/rest/checks/runs';
const STATES: CommitState[] = ['error', 'failure', 'pending', 'success'];
const CONCLUSIONS = [
  'action_required',
  'cancelled',
  'failure',
  'neutral',
  'success',
  'skipped',
  'stale',
  'timed_out',
];
const RUN_STATUSES = ['queued', 'in_progress', 'completed'];

/** Newest status per context, as the combined status reports them. */
export function latestStatuses(repo: RepoRecord, sha: string): StatusRecord[] {
  const latest = new Map<string, StatusRecord>();
  for (const s of repo.statuses) {
    if (s.sha === sha) latest.set(s.context, s);
  }
  return [...latest.values()].sort((a, b) => b.id - a.id);
}

export function combinedState(statuses: StatusRecord[]): CommitState {
  if (statuses.some(s => s.state === 'error' || s.state === 'failure'))
    return 'failure';
  if (statuses.length === 0 || statuses.some(s => s.state === 'pending'))
    return 'pending';
  return 'success';
}

async function resolveRef(repo: RepoRecord, ref: string) {
  const sha = await g.resolveCommit(repo.gitDir, ref);
  if (!sha) throw new ApiError(422, `No commit found for SHA: ${ref}`);
  return sha;
}

/** Commit statuses (classic) and check runs. */
export function registerChecks(router: Router, deps: Deps): void {
  router.add(
    'POST',
    '/repos/:owner/:repo/statuses/:sha',
    `${S}#create-a-commit-status`,
    async (req, p) => {
      const repo = repoFor(deps, req, p, 'write');
      const body = await req.body();
      if (!STATES.includes(body.state)) {
        throw validationFailed({
          resource: 'Status',
          field: 'state',
          code: 'invalid',
        });
      }
      const sha = await g.resolveCommit(repo.gitDir, p.sha);
      if (!sha || !sha.startsWith(p.sha))
        throw new ApiError(422, `No commit found for SHA: ${p.sha}`);
      const created = deps.store.now();
      const status: StatusRecord = {
        id: deps.store.nextId(),
        sha,
        state: body.state,
        description:
          typeof body.description === 'string' ? body.description : null,
        targetUrl: typeof body.target_url === 'string' ? body.target_url : null,
        context: typeof body.context === 'string' ? body.context : 'default',
        creator: req.login,
        createdAt: created,
        updatedAt: created,
      };
      repo.statuses.push(status);
      return json(201, commitStatus(status, repo, deps.urls(), deps.store));
    },
  );

  router.add(
    'GET',
    '/repos/:owner/:repo/commits/:ref/statuses',
    `${S}#list-commit-statuses-for-a-reference`,
    async (req, p) => {
      const repo = repoFor(deps, req, p);
      const sha = await resolveRef(repo, p.ref);
      const list = repo.statuses
        .filter(s => s.sha === sha)
        .sort((a, b) => b.id - a.id)
        .map(s => commitStatus(s, repo, deps.urls(), deps.store));
      return paginate(req, list);
    },
  );

  router.add(
    'GET',
    '/repos/:owner/:repo/commits/:ref/status',
    `${S}#get-the-combined-status-for-a-specific-reference`,
    async (req, p) => {
      const repo = repoFor(deps, req, p);
      const sha = await resolveRef(repo, p.ref);
      const latest = latestStatuses(repo, sha);
      const api = `${deps.urls().api}/repos/${repo.owner.login}/${repo.name}`;
      return paginate(req, latest, page => ({
        state: combinedState(latest),
        statuses: page.map(s => commitStatus(s, repo, deps.urls(), deps.store)),
        sha,
        total_count: latest.length,
        repository: repository(repo, deps.urls()),
        commit_url: `${api}/commits/${sha}`,
        url: `${api}/commits/${sha}/status`,
      }));
    },
  );

  const applyRun = (run: CheckRunRecord, body: Record<string, unknown>) => {
    if (body.status !== undefined) {
      if (!RUN_STATUSES.includes(String(body.status))) {
        throw validationFailed({
          resource: 'CheckRun',
          field: 'status',
          code: 'invalid',
        });
      }
      run.status = body.status as CheckRunRecord['status'];
    }
    if (body.conclusion !== undefined) {
      if (!CONCLUSIONS.includes(String(body.conclusion))) {
        throw validationFailed({
          resource: 'CheckRun',
          field: 'conclusion',
          code: 'invalid',
        });
      }
      // Giving a conclusion completes the run.
      run.conclusion = String(body.conclusion);
      run.status = 'completed';
      run.completedAt =
        typeof body.completed_at === 'string'
          ? body.completed_at
          : deps.store.now();
    } else if (run.status === 'completed' && run.conclusion === null) {
      throw new ApiError(
        422,
        'Invalid request.\n\nNo conclusion given for a completed check run.',
      );
    }
    if (typeof body.name === 'string') run.name = body.name;
    if (typeof body.details_url === 'string') run.detailsUrl = body.details_url;
    if (typeof body.external_id === 'string') run.externalId = body.external_id;
    if (typeof body.started_at === 'string') run.startedAt = body.started_at;
    if (isRecord(body.output)) {
      const o = body.output;
      run.output = {
        title: typeof o.title === 'string' ? o.title : run.output.title,
        summary: typeof o.summary === 'string' ? o.summary : run.output.summary,
        text: typeof o.text === 'string' ? o.text : run.output.text,
      };
    }
  };

  router.add(
    'POST',
    '/repos/:owner/:repo/check-runs',
    `${K}#create-a-check-run`,
    async (req, p) => {
      const repo = repoFor(deps, req, p, 'write');
      const body = await req.body();
      const name = requireString(body, 'name', 'CheckRun');
      const headSha = requireString(body, 'head_sha', 'CheckRun');
      const sha = await g.resolveCommit(repo.gitDir, headSha);
      if (!sha || sha !== headSha)
        throw new ApiError(422, `No commit found for SHA: ${headSha}`);
      const suite = repo.checkRuns.find(r => r.headSha === sha);
      const run: CheckRunRecord = {
        id: deps.store.nextId(),
        suiteId: suite?.suiteId ?? deps.store.nextId(),
        headSha: sha,
        name,
        status: 'queued',
        conclusion: null,
        startedAt: deps.store.now(),
        completedAt: null,
        detailsUrl: null,
        externalId: null,
        output: { title: null, summary: null, text: null },
      };
      applyRun(run, body);
      repo.checkRuns.push(run);
      return json(201, checkRun(run, repo, deps.urls()));
    },
  );

  const findRun = (repo: RepoRecord, id: string) => {
    const run = repo.checkRuns.find(r => String(r.id) === id);
    if (!run) throw notFound();
    return run;
  };

  router.add(
    'GET',
    '/repos/:owner/:repo/check-runs/:id',
    `${K}#get-a-check-run`,
    async (req, p) => {
      const repo = repoFor(deps, req, p);
      return ok(checkRun(findRun(repo, p.id), repo, deps.urls()));
    },
  );

  router.add(
    'PATCH',
    '/repos/:owner/:repo/check-runs/:id',
    `${K}#update-a-check-run`,
    async (req, p) => {
      const repo = repoFor(deps, req, p, 'write');
      const run = findRun(repo, p.id);
      applyRun(run, await req.body());
      return ok(checkRun(run, repo, deps.urls()));
    },
  );

  router.add(
    'GET',
    '/repos/:owner/:repo/commits/:ref/check-runs',
    `${K}#list-check-runs-for-a-git-reference`,
    async (req, p) => {
      const repo = repoFor(deps, req, p);
      const sha = await resolveRef(repo, p.ref);
      const name = req.query.get('check_name');
      const status = req.query.get('status');
      const runs = repo.checkRuns
        .filter(
          r =>
            r.headSha === sha &&
            (!name || r.name === name) &&
            (!status || r.status === status),
        )
        .sort((a, b) => b.id - a.id);
      return paginate(req, runs, page => ({
        total_count: runs.length,
        check_runs: page.map(r => checkRun(r, repo, deps.urls())),
      }));
    },
  );
}
