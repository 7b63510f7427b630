import { Octokit } from '@octokit/rest';
import type {
  PullRequestEditedEvent,
  PullRequestOpenedEvent,
} from '@octokit/webhooks-types';
import { GitHubDouble, startGitHub } from './index';
import { fail, quiet, receiver } from './testSupport';

describe('GitHub double: pull requests', () => {
  let gh: GitHubDouble;
  let octokit: Octokit;
  let hooks: Awaited<ReturnType<typeof receiver>>;
  const owner = 'portal-org';
  const repo = 'svc';
  /** A branch off main with one commit changing `file`. */
  const branch = async (name: string, file = `${name}.txt`) => {
    await octokit.rest.git.createRef({
      owner,
      repo,
      ref: `refs/heads/${name}`,
      sha: (await gh.headSha(owner, repo))!,
    });
    return gh.commitFile(owner, repo, {
      path: file,
      content: name,
      branch: name,
    });
  };

  beforeAll(async () => {
    gh = await startGitHub({ clock: '2024-05-01T10:00:00Z' });
    octokit = new Octokit({ baseUrl: gh.url, auth: gh.token, log: quiet });
    hooks = await receiver('s3cret');
    await octokit.rest.repos.createInOrg({
      org: owner,
      name: repo,
      auto_init: true,
    });
    await octokit.rest.repos.createWebhook({
      owner,
      repo,
      events: ['pull_request'],
      config: { url: hooks.url, content_type: 'json', secret: 's3cret' },
    });
    await branch('feature');
    await branch('other');
  });

  afterAll(async () => {
    await gh.close();
    await hooks.close();
  });

  it('opens a pull request, numbered after the issues, and delivers opened', async () => {
    const issue = await octokit.rest.issues.create({
      owner,
      repo,
      title: 'Bug',
    });
    expect(issue.data.number).toBe(1);
    const created = await octokit.rest.pulls.create({
      owner,
      repo,
      title: 'Add feature',
      head: 'feature',
      base: 'main',
      body: 'Please',
    });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe(created.data.url);
    const head = await gh.headSha(owner, repo, 'feature');
    expect(created.data).toMatchObject({
      number: 2,
      state: 'open',
      title: 'Add feature',
      body: 'Please',
      user: { login: 'portal-user' },
      head: {
        ref: 'feature',
        sha: head,
        label: 'portal-org:feature',
        repo: { full_name: 'portal-org/svc', fork: false },
      },
      base: { ref: 'main', sha: await gh.headSha(owner, repo) },
      merged: false,
      draft: false,
      commits: 1,
      additions: 1,
      changed_files: 1,
      created_at: '2024-05-01T10:00:00Z',
      updated_at: '2024-05-01T10:00:00Z',
      author_association: 'MEMBER',
    });
    const got = await octokit.rest.pulls.get({ owner, repo, pull_number: 2 });
    expect(got.data.head.sha).toBe(head);
    // A pull request is an issue too.
    const asIssue = await octokit.rest.issues.get({
      owner,
      repo,
      issue_number: 2,
    });
    expect(asIssue.data.pull_request?.url).toBe(got.data.url);

    await gh.webhooksIdle();
    const [opened] = hooks.of('pull_request', 'opened');
    const payload: PullRequestOpenedEvent = opened.body;
    expect(opened.valid).toBe(true);
    expect(payload.number).toBe(2);
    expect(payload.pull_request.head.sha).toBe(head);
    expect(payload.pull_request.updated_at).toBe(got.data.updated_at);
    expect(payload.sender.login).toBe('portal-user');
  });

  it('answers GitHub validation errors and 404s', async () => {
    const missing = await fail(
      octokit.rest.pulls.create({
        owner,
        repo,
        head: 'other',
        base: 'main',
      } as any),
    );
    expect(missing.status).toBe(422);
    expect(missing.data).toMatchObject({
      message: 'Validation Failed',
      errors: [
        { resource: 'PullRequest', field: 'title', code: 'missing_field' },
      ],
      documentation_url: expect.stringContaining('pulls#create-a-pull-request'),
    });
    const create = (head: string, base = 'main') =>
      fail(octokit.rest.pulls.create({ owner, repo, title: 't', head, base }));
    expect((await create('nope')).data.errors).toEqual([
      { resource: 'PullRequest', field: 'head', code: 'invalid' },
    ]);
    expect((await create('ghost:other')).data.errors[0].field).toBe('head');
    expect((await create('other', 'nope')).data.errors).toEqual([
      { resource: 'PullRequest', field: 'base', code: 'invalid' },
    ]);
    expect((await create('main')).data.errors).toEqual([
      {
        resource: 'PullRequest',
        code: 'custom',
        message: 'No commits between main and main',
      },
    ]);
    expect((await create('feature')).data.errors[0].message).toBe(
      'A pull request already exists for portal-org:feature.',
    );
    const get = (pull_number: number, r = repo) =>
      fail(octokit.rest.pulls.get({ owner, repo: r, pull_number }));
    expect((await get(99)).status).toBe(404);
    expect((await get(1)).status).toBe(404); // issue #1 is not a pull request
    expect((await get(2, 'nope')).data.message).toBe('Not Found');
  });

  it('lists pull requests by state with Link pagination', async () => {
    for (const name of ['p1', 'p2', 'p3']) {
      await branch(name, 'p.txt');
      await gh.createPullRequest(owner, repo, { head: name, title: name });
    }
    const first = await octokit.rest.pulls.list({ owner, repo, per_page: 2 });
    expect(first.data.map(p => p.title)).toEqual(['p3', 'p2']);
    expect(first.headers.link).toContain('rel="next"');
    expect(first.data[0]).not.toHaveProperty('mergeable');
    const all = await octokit.paginate(octokit.rest.pulls.list, {
      owner,
      repo,
      per_page: 2,
      direction: 'asc',
    });
    expect(all.map(p => p.number)).toEqual([2, 3, 4, 5]);
    await octokit.rest.pulls.update({
      owner,
      repo,
      pull_number: 5,
      state: 'closed',
    });
    const open = await octokit.paginate(octokit.rest.pulls.list, {
      owner,
      repo,
    });
    expect(open.map(p => p.number)).toEqual([4, 3, 2]);
    const closed = await octokit.rest.pulls.list({
      owner,
      repo,
      state: 'closed',
    });
    expect(closed.data.map(p => p.number)).toEqual([5]);
    const byHead = await octokit.rest.pulls.list({
      owner,
      repo,
      head: 'portal-org:p2',
    });
    expect(byHead.data.map(p => p.number)).toEqual([4]);
    const bad = await fail(
      octokit.rest.pulls.list({ owner, repo, state: 'merged' as any }),
    );
    expect(bad.status).toBe(422);
  });

  it('updates title and state with edited, closed and reopened deliveries', async () => {
    await gh.webhooksIdle();
    const before = hooks.received.length;
    gh.clock.advance(60_000);
    const edited = await octokit.rest.pulls.update({
      owner,
      repo,
      pull_number: 3,
      title: 'p1 renamed',
    });
    expect(edited.data).toMatchObject({
      title: 'p1 renamed',
      updated_at: '2024-05-01T10:01:00Z',
    });
    const closed = await octokit.rest.pulls.update({
      owner,
      repo,
      pull_number: 3,
      state: 'closed',
    });
    expect(closed.data).toMatchObject({
      state: 'closed',
      closed_at: '2024-05-01T10:01:00Z',
    });
    const reopened = await octokit.rest.pulls.update({
      owner,
      repo,
      pull_number: 3,
      state: 'open',
    });
    expect(reopened.data).toMatchObject({ state: 'open', closed_at: null });
    expect(
      (
        await fail(
          octokit.rest.pulls.update({
            owner,
            repo,
            pull_number: 3,
            state: 'x' as any,
          }),
        )
      ).data.errors,
    ).toEqual([{ resource: 'PullRequest', field: 'state', code: 'invalid' }]);
    expect(
      (
        await fail(
          octokit.rest.pulls.update({
            owner,
            repo,
            pull_number: 42,
            title: 'x',
          }),
        )
      ).status,
    ).toBe(404);

    await gh.webhooksIdle();
    const got = hooks.received.slice(before).map(r => r.body.action);
    expect(got).toEqual(['edited', 'closed', 'reopened']);
    const editedPayload: PullRequestEditedEvent = hooks.received[before].body;
    expect(editedPayload.changes.title?.from).toBe('p1');

    // Authors without push access may update their own pull requests only.
    const token = gh.addUser('reader');
    const reader = new Octokit({ baseUrl: gh.url, auth: token, log: quiet });
    const denied = await fail(
      reader.rest.pulls.update({
        owner,
        repo,
        pull_number: 3,
        state: 'closed',
      }),
    );
    expect(denied).toMatchObject({
      status: 403,
      data: { message: 'Must have push access to repository' },
    });
  });
});
