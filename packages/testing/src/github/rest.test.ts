import { Octokit } from '@octokit/rest';
import { GitHubDouble, startGitHub } from './index';

const fail = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e: any) {
    return {
      status: e.status as number,
      data: e.response?.data,
      headers: e.response?.headers ?? {},
    };
  }
  throw new Error('expected the request to fail');
};

/** Octokit logs every failed request; the failures here are on purpose. */
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe('GitHub double with @octokit/rest', () => {
  let gh: GitHubDouble;
  let octokit: Octokit;
  const owner = 'portal-org';

  beforeAll(async () => {
    gh = await startGitHub();
    gh.addUser('dev');
    gh.addTeam(owner, 'platform');
    octokit = new Octokit({ baseUrl: gh.url, auth: gh.token, log: quiet });
    await octokit.rest.repos.createInOrg({
      org: owner,
      name: 'svc',
      auto_init: true,
      description: 'A service',
    });
  });

  afterAll(() => gh.close());

  it('serves users and organizations, and 401 for bad tokens', async () => {
    const me = await octokit.rest.users.getAuthenticated();
    expect(me.data).toMatchObject({ login: 'portal-user', type: 'User' });
    expect(me.headers['x-github-request-id']).toMatch(/^[0-9A-F:]+$/);
    expect(
      (await octokit.rest.users.getByUsername({ username: owner })).data.type,
    ).toBe('Organization');
    expect((await octokit.rest.orgs.get({ org: owner })).data).toMatchObject({
      login: owner,
      type: 'Organization',
    });
    expect(
      (await fail(octokit.rest.users.getByUsername({ username: 'ghost' })))
        .status,
    ).toBe(404);

    const bad = await fail(
      new Octokit({
        baseUrl: gh.url,
        auth: 'nope',
        log: quiet,
      }).rest.users.getAuthenticated(),
    );
    expect(bad.status).toBe(401);
    expect(bad.data).toMatchObject({
      message: 'Bad credentials',
      documentation_url: expect.stringContaining('docs.github.com'),
    });
  });

  it('creates, gets, lists and deletes repositories with GitHub errors', async () => {
    const created = await octokit.rest.repos.createForAuthenticatedUser({
      name: 'mine',
      private: true,
      auto_init: true,
      default_branch: 'trunk',
    } as any);
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({
      full_name: 'portal-user/mine',
      private: true,
      visibility: 'private',
      default_branch: 'trunk',
    });
    expect(created.data.clone_url).toBe(`${gh.webUrl}/portal-user/mine.git`);

    const dup = await fail(
      octokit.rest.repos.createInOrg({ org: owner, name: 'svc' }),
    );
    expect(dup.status).toBe(422);
    expect(dup.data.errors).toEqual([
      expect.objectContaining({
        resource: 'Repository',
        field: 'name',
        code: 'custom',
        message: 'name already exists on this account',
      }),
    ]);
    expect(
      (await fail(octokit.rest.repos.createInOrg({ org: owner } as any))).data
        .errors[0],
    ).toMatchObject({ field: 'name', code: 'missing_field' });

    const repo = await octokit.rest.repos.get({ owner, repo: 'svc' });
    expect(repo.data).toMatchObject({
      name: 'svc',
      description: 'A service',
      default_branch: 'main',
      permissions: { admin: true },
    });

    // Private repositories are invisible to others.
    const dev = new Octokit({
      baseUrl: gh.url,
      auth: gh.addUser('stranger'),
      log: quiet,
    });
    expect(
      (await fail(dev.rest.repos.get({ owner: 'portal-user', repo: 'mine' })))
        .status,
    ).toBe(404);

    await octokit.rest.repos.delete({ owner: 'portal-user', repo: 'mine' });
    expect(
      (
        await fail(
          octokit.rest.repos.get({ owner: 'portal-user', repo: 'mine' }),
        )
      ).status,
    ).toBe(404);
  });

  it('paginates with Link headers and octokit.paginate', async () => {
    for (let i = 0; i < 5; i++) await gh.createRepo(owner, `page-${i}`);
    const first = await octokit.rest.repos.listForOrg({
      org: owner,
      per_page: 2,
    });
    expect(first.data).toHaveLength(2);
    expect(first.headers.link).toContain('rel="next"');
    expect(first.headers.link).toContain('rel="last"');
    const all = await octokit.paginate(octokit.rest.repos.listForOrg, {
      org: owner,
      per_page: 2,
    });
    expect(all.map(r => r.name)).toEqual([
      'svc',
      'page-0',
      'page-1',
      'page-2',
      'page-3',
      'page-4',
    ]);
    const last = await octokit.rest.repos.listForOrg({
      org: owner,
      per_page: 2,
      page: 3,
    });
    expect(last.headers.link).toContain('rel="prev"');
    expect(last.headers.link).toContain('rel="first"');
  });

  it('serves file and directory contents with ETags; 304s spend no budget', async () => {
    const file = await octokit.rest.repos.getContent({
      owner,
      repo: 'svc',
      path: 'README.md',
    });
    const data = file.data as {
      content: string;
      encoding: string;
      sha: string;
      type: string;
    };
    expect(data.type).toBe('file');
    expect(data.encoding).toBe('base64');
    expect(Buffer.from(data.content, 'base64').toString()).toBe(
      '# svc\n\nA service\n',
    );

    const etag = file.headers.etag!;
    const before = Number(file.headers['x-ratelimit-remaining']);
    const cached = await fail(
      octokit.rest.repos.getContent({
        owner,
        repo: 'svc',
        path: 'README.md',
        headers: { 'if-none-match': etag },
      }),
    );
    expect(cached.status).toBe(304);
    expect(Number(cached.headers['x-ratelimit-remaining'])).toBe(before);
    const again = await octokit.rest.users.getAuthenticated();
    expect(Number(again.headers['x-ratelimit-remaining'])).toBe(before - 1);

    const raw = await octokit.rest.repos.getContent({
      owner,
      repo: 'svc',
      path: 'README.md',
      mediaType: { format: 'raw' },
    });
    expect(String(raw.data)).toBe('# svc\n\nA service\n');

    await gh.commitFile(owner, 'svc', { path: 'docs/index.md', content: 'hi' });
    const dir = await octokit.rest.repos.getContent({
      owner,
      repo: 'svc',
      path: 'docs',
    });
    expect(dir.data).toEqual([
      expect.objectContaining({
        name: 'index.md',
        path: 'docs/index.md',
        type: 'file',
      }),
    ]);
    expect(
      (
        await fail(
          octokit.rest.repos.getContent({
            owner,
            repo: 'svc',
            path: 'nope.md',
          }),
        )
      ).status,
    ).toBe(404);
    expect(
      (
        await fail(
          octokit.rest.repos.getContent({
            owner,
            repo: 'svc',
            path: 'README.md',
            ref: 'nope',
          }),
        )
      ).status,
    ).toBe(404);
  });

  it('creates, updates and deletes files through the contents API', async () => {
    const put = await octokit.rest.repos.createOrUpdateFileContents({
      owner,
      repo: 'svc',
      path: 'app/config.yaml',
      message: 'add config',
      content: Buffer.from('a: 1\n').toString('base64'),
    });
    expect(put.status).toBe(201);
    const sha = put.data.content!.sha!;
    const missingSha = await fail(
      octokit.rest.repos.createOrUpdateFileContents({
        owner,
        repo: 'svc',
        path: 'app/config.yaml',
        message: 'x',
        content: 'YQ==',
      }),
    );
    expect(missingSha.status).toBe(422);
    const conflict = await fail(
      octokit.rest.repos.createOrUpdateFileContents({
        owner,
        repo: 'svc',
        path: 'app/config.yaml',
        message: 'x',
        content: 'YQ==',
        sha: 'f'.repeat(40),
      }),
    );
    expect(conflict.status).toBe(409);
    const update = await octokit.rest.repos.createOrUpdateFileContents({
      owner,
      repo: 'svc',
      path: 'app/config.yaml',
      message: 'bump',
      content: Buffer.from('a: 2\n').toString('base64'),
      sha,
    });
    expect(update.status).toBe(200);
    expect(await gh.readFile(owner, 'svc', 'app/config.yaml')).toBe('a: 2\n');
    const commit = await octokit.rest.repos.getCommit({
      owner,
      repo: 'svc',
      ref: update.data.commit.sha!,
    });
    expect(commit.data.commit.message).toBe('bump');
    expect(commit.data.files).toEqual([
      expect.objectContaining({
        filename: 'app/config.yaml',
        status: 'modified',
        additions: 1,
        deletions: 1,
      }),
    ]);
    await octokit.rest.repos.deleteFile({
      owner,
      repo: 'svc',
      path: 'app/config.yaml',
      message: 'rm',
      sha: update.data.content!.sha!,
    });
    expect(await gh.readFile(owner, 'svc', 'app/config.yaml')).toBeUndefined();
  });

  it('serves refs, commits and branches from the git repository', async () => {
    const head = (await gh.headSha(owner, 'svc'))!;
    const ref = await octokit.rest.git.getRef({
      owner,
      repo: 'svc',
      ref: 'heads/main',
    });
    expect(ref.data).toMatchObject({
      ref: 'refs/heads/main',
      object: { sha: head, type: 'commit' },
    });
    expect(
      (
        await fail(
          octokit.rest.git.getRef({ owner, repo: 'svc', ref: 'heads/nope' }),
        )
      ).status,
    ).toBe(404);

    await octokit.rest.git.createRef({
      owner,
      repo: 'svc',
      ref: 'refs/heads/feature',
      sha: head,
    });
    const matching = await octokit.rest.git.listMatchingRefs({
      owner,
      repo: 'svc',
      ref: 'heads/',
    });
    expect(matching.data.map(r => r.ref)).toEqual([
      'refs/heads/feature',
      'refs/heads/main',
    ]);

    const commit = await octokit.rest.repos.getCommit({
      owner,
      repo: 'svc',
      ref: 'main',
    });
    expect(commit.data.sha).toBe(head);
    const commits = await octokit.paginate(octokit.rest.repos.listCommits, {
      owner,
      repo: 'svc',
      per_page: 2,
    });
    expect(commits[0].sha).toBe(head);
    expect(commits[commits.length - 1].commit.message).toBe('Initial commit');

    const branch = await octokit.rest.repos.getBranch({
      owner,
      repo: 'svc',
      branch: 'main',
    });
    expect(branch.data).toMatchObject({
      name: 'main',
      protected: false,
      commit: { sha: head },
    });
    expect(
      (await octokit.rest.repos.listBranches({ owner, repo: 'svc' })).data.map(
        b => b.name,
      ),
    ).toEqual(['feature', 'main']);
    expect(
      (
        await fail(
          octokit.rest.repos.getBranch({ owner, repo: 'svc', branch: 'nope' }),
        )
      ).data.message,
    ).toBe('Branch not found');
  });

  it('manages webhooks and never returns their secret', async () => {
    const hook = await octokit.rest.repos.createWebhook({
      owner,
      repo: 'svc',
      config: {
        url: 'http://127.0.0.1:9/hook',
        content_type: 'json',
        secret: 'shh',
      },
      events: ['push', 'deployment'],
    });
    expect(hook.status).toBe(201);
    expect(hook.data.config).toMatchObject({
      url: 'http://127.0.0.1:9/hook',
      content_type: 'json',
      secret: '********',
    });
    expect(
      (await octokit.rest.repos.listWebhooks({ owner, repo: 'svc' })).data,
    ).toHaveLength(1);
    expect(
      (
        await octokit.rest.repos.getWebhook({
          owner,
          repo: 'svc',
          hook_id: hook.data.id,
        })
      ).data.events,
    ).toEqual(['push', 'deployment']);
    const noUrl = await fail(
      octokit.rest.repos.createWebhook({
        owner,
        repo: 'svc',
        config: {} as any,
      }),
    );
    expect(noUrl.status).toBe(422);
    await octokit.rest.repos.deleteWebhook({
      owner,
      repo: 'svc',
      hook_id: hook.data.id,
    });
    expect(
      (
        await fail(
          octokit.rest.repos.getWebhook({
            owner,
            repo: 'svc',
            hook_id: hook.data.id,
          }),
        )
      ).status,
    ).toBe(404);
    await gh.webhooksIdle();
  });

  it('records commit statuses and combines them', async () => {
    const sha = (await gh.headSha(owner, 'svc'))!;
    await octokit.rest.repos.createCommitStatus({
      owner,
      repo: 'svc',
      sha,
      state: 'pending',
      context: 'ci',
    });
    await octokit.rest.repos.createCommitStatus({
      owner,
      repo: 'svc',
      sha,
      state: 'success',
      context: 'ci',
      target_url: 'http://ci/1',
    });
    await octokit.rest.repos.createCommitStatus({
      owner,
      repo: 'svc',
      sha,
      state: 'success',
      context: 'lint',
    });
    const combined = await octokit.rest.repos.getCombinedStatusForRef({
      owner,
      repo: 'svc',
      ref: 'main',
    });
    expect(combined.data).toMatchObject({
      state: 'success',
      sha,
      total_count: 2,
    });
    expect(
      (
        await octokit.rest.repos.listCommitStatusesForRef({
          owner,
          repo: 'svc',
          ref: sha,
        })
      ).data,
    ).toHaveLength(3);
    const invalid = await fail(
      octokit.rest.repos.createCommitStatus({
        owner,
        repo: 'svc',
        sha,
        state: 'bogus' as any,
      }),
    );
    expect(invalid.status).toBe(422);
    expect(
      (
        await fail(
          octokit.rest.repos.createCommitStatus({
            owner,
            repo: 'svc',
            sha: 'a'.repeat(40),
            state: 'success',
          }),
        )
      ).status,
    ).toBe(422);
  });

  it('creates, updates and lists check runs', async () => {
    const head_sha = (await gh.headSha(owner, 'svc'))!;
    const run = await octokit.rest.checks.create({
      owner,
      repo: 'svc',
      name: 'build',
      head_sha,
      status: 'in_progress',
    });
    expect(run.data).toMatchObject({
      name: 'build',
      status: 'in_progress',
      conclusion: null,
      head_sha,
    });
    const done = await octokit.rest.checks.update({
      owner,
      repo: 'svc',
      check_run_id: run.data.id,
      conclusion: 'success',
      output: { title: 'ok', summary: 'all good' },
    });
    expect(done.data).toMatchObject({
      status: 'completed',
      conclusion: 'success',
      output: { title: 'ok', summary: 'all good' },
    });
    expect(
      (
        await octokit.rest.checks.get({
          owner,
          repo: 'svc',
          check_run_id: run.data.id,
        })
      ).data.status,
    ).toBe('completed');
    const list = await octokit.rest.checks.listForRef({
      owner,
      repo: 'svc',
      ref: 'main',
    });
    expect(list.data.total_count).toBe(1);
    expect(list.data.check_runs[0].id).toBe(run.data.id);
    expect(
      (
        await fail(
          octokit.rest.checks.create({ owner, repo: 'svc', head_sha } as any),
        )
      ).status,
    ).toBe(422);
  });

  it('creates deployments and deployment statuses', async () => {
    const dep = await octokit.rest.repos.createDeployment({
      owner,
      repo: 'svc',
      ref: 'main',
      environment: 'staging',
      required_contexts: [],
      payload: { v: 1 },
    });
    expect(dep.status).toBe(201);
    const d = dep.data as {
      id: number;
      sha: string;
      environment: string;
      payload: unknown;
    };
    expect(d).toMatchObject({
      environment: 'staging',
      sha: await gh.headSha(owner, 'svc'),
      payload: { v: 1 },
    });
    await octokit.rest.repos.createDeploymentStatus({
      owner,
      repo: 'svc',
      deployment_id: d.id,
      state: 'success',
      environment_url: 'http://svc',
    });
    const statuses = await octokit.rest.repos.listDeploymentStatuses({
      owner,
      repo: 'svc',
      deployment_id: d.id,
    });
    expect(statuses.data[0]).toMatchObject({
      state: 'success',
      environment_url: 'http://svc',
    });
    expect(
      (
        await octokit.rest.repos.getDeployment({
          owner,
          repo: 'svc',
          deployment_id: d.id,
        })
      ).data.id,
    ).toBe(d.id);
    expect(
      (
        await octokit.rest.repos.listDeployments({
          owner,
          repo: 'svc',
          environment: 'staging',
        })
      ).data,
    ).toHaveLength(1);

    // Without required_contexts every status context must be green.
    const sha = (await gh.headSha(owner, 'svc'))!;
    await octokit.rest.repos.createCommitStatus({
      owner,
      repo: 'svc',
      sha,
      state: 'failure',
      context: 'e2e',
    });
    expect(
      (
        await fail(
          octokit.rest.repos.createDeployment({
            owner,
            repo: 'svc',
            ref: 'main',
          }),
        )
      ).status,
    ).toBe(409);
    expect(
      (
        await fail(
          octokit.rest.repos.createDeployment({
            owner,
            repo: 'svc',
            ref: 'nope',
          }),
        )
      ).status,
    ).toBe(422);
  });

  it('manages collaborators, teams, topics and branch protection', async () => {
    const added = await octokit.rest.repos.addCollaborator({
      owner,
      repo: 'svc',
      username: 'dev',
      permission: 'maintain',
    });
    expect(added.status).toBe(201);
    const perm = await octokit.rest.repos.getCollaboratorPermissionLevel({
      owner,
      repo: 'svc',
      username: 'dev',
    });
    expect(perm.data).toMatchObject({
      permission: 'write',
      role_name: 'maintain',
      user: { login: 'dev' },
    });
    expect(
      (
        await octokit.rest.repos.getCollaboratorPermissionLevel({
          owner,
          repo: 'svc',
          username: 'portal-user',
        })
      ).data.permission,
    ).toBe('admin');

    expect(
      (
        await octokit.rest.teams.getByName({
          org: owner,
          team_slug: 'platform',
        })
      ).data.slug,
    ).toBe('platform');
    const team = await octokit.rest.teams.addOrUpdateRepoPermissionsInOrg({
      org: owner,
      team_slug: 'platform',
      owner,
      repo: 'svc',
      permission: 'push',
    });
    expect(team.status).toBe(204);
    expect(gh.repo(owner, 'svc')!.teams.get('platform')).toBe('write');

    expect(
      (
        await octokit.rest.repos.replaceAllTopics({
          owner,
          repo: 'svc',
          names: ['backstage', 'go'],
        })
      ).data.names,
    ).toEqual(['backstage', 'go']);
    expect(
      (await octokit.rest.repos.get({ owner, repo: 'svc' })).data.topics,
    ).toEqual(['backstage', 'go']);

    const protection = await octokit.rest.repos.updateBranchProtection({
      owner,
      repo: 'svc',
      branch: 'main',
      required_status_checks: { strict: true, contexts: ['ci'] },
      enforce_admins: true,
      required_pull_request_reviews: { required_approving_review_count: 2 },
      restrictions: null,
    });
    expect(protection.data).toMatchObject({
      enforce_admins: { enabled: true },
      required_status_checks: { strict: true, contexts: ['ci'] },
      required_pull_request_reviews: { required_approving_review_count: 2 },
    });
    expect(
      (
        await octokit.rest.repos.getBranch({
          owner,
          repo: 'svc',
          branch: 'main',
        })
      ).data.protected,
    ).toBe(true);
    const missing = await fail(
      octokit.rest.repos.updateBranchProtection({
        owner,
        repo: 'svc',
        branch: 'main',
      } as any),
    );
    expect(missing.status).toBe(422);
    const noBranch = await fail(
      octokit.rest.repos.updateBranchProtection({
        owner,
        repo: 'svc',
        branch: 'ghost',
        required_status_checks: null,
        enforce_admins: null,
        required_pull_request_reviews: null,
        restrictions: null,
      }),
    );
    expect(noBranch).toMatchObject({
      status: 404,
      data: { message: 'Branch not found' },
    });
  });

  it('exhausts the primary budget with 403 and remaining 0', async () => {
    const token = gh.addUser('busy');
    const busy = new Octokit({ baseUrl: gh.url, auth: token, log: quiet });
    gh.rateLimit.set(2, { token });
    const ok = await busy.rest.users.getAuthenticated();
    expect(ok.headers).toMatchObject({
      'x-ratelimit-limit': '2',
      'x-ratelimit-remaining': '1',
      'x-ratelimit-used': '1',
      'x-ratelimit-resource': 'core',
    });
    await busy.rest.users.getAuthenticated();
    const limited = await fail(busy.rest.users.getAuthenticated());
    expect(limited.status).toBe(403);
    expect(limited.headers['x-ratelimit-remaining']).toBe('0');
    expect(limited.data.message).toMatch(/^API rate limit exceeded/);
  });

  it('injects secondary rate limits, server errors, latency and dropped connections', async () => {
    gh.faults.add({
      path: /\/repos\/portal-org\/svc$/,
      secondaryRateLimit: { retryAfter: 30 },
      times: 1,
    });
    const secondary = await fail(
      octokit.rest.repos.get({ owner, repo: 'svc' }),
    );
    expect(secondary.status).toBe(403);
    expect(secondary.headers['retry-after']).toBe('30');
    expect(secondary.data.message).toMatch(/secondary rate limit/);
    expect(Number(secondary.headers['x-ratelimit-remaining'])).toBeGreaterThan(
      0,
    );

    gh.faults.add({
      path: '/api/v3/user',
      method: 'GET',
      status: 502,
      times: 1,
    });
    expect((await fail(octokit.rest.users.getAuthenticated())).status).toBe(
      502,
    );
    expect((await octokit.rest.users.getAuthenticated()).status).toBe(200);

    gh.faults.add({ path: '/api/v3/orgs/', latencyMs: 120, times: 1 });
    const t0 = Date.now();
    await octokit.rest.orgs.get({ org: owner });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(110);

    gh.faults.add({ path: '/api/v3/users/dev', drop: true, times: 1 });
    await expect(
      octokit.rest.users.getByUsername({ username: 'dev' }),
    ).rejects.toThrow();
    const logged = gh.requests.filter(r => r.path === '/api/v3/user');
    expect(logged[logged.length - 1]).toMatchObject({
      method: 'GET',
      status: 200,
      login: 'portal-user',
    });
    expect(logged.some(r => r.status === 502)).toBe(true);
  });
});
