import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Octokit } from '@octokit/rest';
import type {
  IssueCommentCreatedEvent,
  PullRequestOpenedEvent,
  PullRequestSynchronizeEvent,
} from '@octokit/webhooks-types';
import { GitHubDouble, startGitHub } from './index';
import { fail, git, quiet, receiver } from './testSupport';

describe('GitHub double: forks and pull requests from forks', () => {
  let gh: GitHubDouble;
  let octokit: Octokit;
  let outsider: Octokit;
  let outsiderToken: string;
  let hooks: Awaited<ReturnType<typeof receiver>>;
  let tmp: string;
  const owner = 'portal-org';
  const repo = 'svc';

  beforeAll(async () => {
    gh = await startGitHub();
    octokit = new Octokit({ baseUrl: gh.url, auth: gh.token, log: quiet });
    outsiderToken = gh.addUser('outsider');
    outsider = new Octokit({
      baseUrl: gh.url,
      auth: outsiderToken,
      log: quiet,
    });
    hooks = await receiver('s3cret');
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'gh-forks-test-'));
    await gh.createRepo(owner, repo, {
      autoInit: true,
      description: 'A service',
    });
    await gh.commitFile(owner, repo, { path: 'v.txt', content: '1' });
    await octokit.rest.git.createRef({
      owner,
      repo,
      ref: 'refs/heads/release',
      sha: (await gh.headSha(owner, repo))!,
    });
    await octokit.rest.repos.createWebhook({
      owner,
      repo,
      events: ['pull_request', 'issue_comment'],
      config: { url: hooks.url, content_type: 'json', secret: 's3cret' },
    });
  });

  afterAll(async () => {
    await gh.close();
    await hooks.close();
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('forks with the same history, parent and source, and lists forks', async () => {
    const fork = await outsider.rest.repos.createFork({ owner, repo });
    expect(fork.status).toBe(202);
    expect(fork.data).toMatchObject({
      full_name: 'outsider/svc',
      fork: true,
      owner: { login: 'outsider' },
      description: 'A service',
      default_branch: 'main',
      permissions: { admin: true },
      parent: { full_name: 'portal-org/svc' },
      source: { full_name: 'portal-org/svc' },
    });
    expect(await gh.headSha('outsider', repo)).toBe(
      await gh.headSha(owner, repo),
    );
    const branches = await outsider.rest.repos.listBranches({
      owner: 'outsider',
      repo,
    });
    expect(branches.data.map(b => b.name)).toEqual(['main', 'release']);
    const got = await octokit.rest.repos.get({ owner: 'outsider', repo });
    expect(got.data.parent?.full_name).toBe('portal-org/svc');
    expect((await octokit.rest.repos.get({ owner, repo })).data).toMatchObject({
      fork: false,
      forks_count: 1,
    });
    expect(
      (await octokit.rest.repos.get({ owner, repo })).data,
    ).not.toHaveProperty('parent');

    // Forking again answers with the existing fork.
    expect(
      (await outsider.rest.repos.createFork({ owner, repo })).data.id,
    ).toBe(fork.data.id);

    // Into an organization the caller belongs to, under another name.
    gh.addOrg('contrib', { members: ['portal-user'] });
    const orgFork = await octokit.rest.repos.createFork({
      owner,
      repo,
      organization: 'contrib',
      name: 'svc-fork',
      default_branch_only: true,
    });
    expect(orgFork.data.full_name).toBe('contrib/svc-fork');
    expect(
      (
        await octokit.rest.repos.listBranches({
          owner: 'contrib',
          repo: 'svc-fork',
        })
      ).data.map(b => b.name),
    ).toEqual(['main']);
    const forks = await octokit.rest.repos.listForks({
      owner,
      repo,
      sort: 'oldest',
    });
    expect(forks.data.map(f => f.full_name)).toEqual([
      'outsider/svc',
      'contrib/svc-fork',
    ]);

    const errors = await Promise.all([
      fail(
        outsider.rest.repos.createFork({
          owner,
          repo,
          organization: 'contrib',
        }),
      ),
      fail(
        outsider.rest.repos.createFork({
          owner,
          repo,
          organization: 'outsider',
        }),
      ),
      fail(
        outsider.rest.repos.createFork({ owner, repo, organization: 'ghost' }),
      ),
      fail(outsider.rest.repos.createFork({ owner, repo: 'nope' })),
      fail(octokit.rest.repos.createFork({ owner, repo, organization: owner })),
    ]);
    expect(errors.map(e => e.status)).toEqual([403, 422, 404, 404, 422]);
    expect(errors[1].data.message).toBe(
      "'outsider' is the login for a user account. You must pass the login for an organization account.",
    );
  });

  it('gives the fork owner admin on the fork and no write on the parent', async () => {
    const level = async (o: string, username: string) =>
      (
        await octokit.rest.repos.getCollaboratorPermissionLevel({
          owner: o,
          repo,
          username,
        })
      ).data;
    expect(await level('outsider', 'outsider')).toMatchObject({
      permission: 'admin',
      role_name: 'admin',
    });
    expect(await level(owner, 'outsider')).toMatchObject({
      permission: 'read',
      role_name: 'read',
    });
    // Pushing to the parent is refused too.
    const work = path.join(tmp, 'parent');
    await git(tmp, 'clone', gh.cloneUrl(owner, repo, outsiderToken), work);
    await fs.writeFile(path.join(work, 'x.txt'), 'x');
    await git(work, 'add', '.');
    await git(work, 'commit', '-m', 'x');
    await expect(git(work, 'push', 'origin', 'HEAD:main')).rejects.toThrow(
      /403|denied/,
    );
  });

  it('opens a pull request from a fork branch; pushes to the fork move its head', async () => {
    const work = path.join(tmp, 'fork');
    await git(tmp, 'clone', gh.cloneUrl('outsider', repo, outsiderToken), work);
    await git(work, 'checkout', '-b', 'fix');
    await fs.writeFile(path.join(work, 'v.txt'), '2\n');
    await git(work, 'commit', '-am', 'Fix');
    await git(work, 'push', 'origin', 'fix');
    const first = (await git(work, 'rev-parse', 'HEAD')).stdout.trim();

    const pr = await outsider.rest.pulls.create({
      owner,
      repo,
      title: 'Fix',
      head: 'outsider:fix',
      base: 'main',
    });
    expect(pr.data).toMatchObject({
      number: 1,
      user: { login: 'outsider' },
      author_association: 'NONE',
      maintainer_can_modify: true,
      head: {
        label: 'outsider:fix',
        ref: 'fix',
        sha: first,
        user: { login: 'outsider' },
        repo: {
          full_name: 'outsider/svc',
          fork: true,
          owner: { login: 'outsider' },
          clone_url: `${gh.webUrl}/outsider/svc.git`,
        },
      },
      base: { ref: 'main', repo: { full_name: 'portal-org/svc' } },
    });
    // The base repository serves the fork's commit, as refs/pull/1/head.
    expect(
      (await octokit.rest.repos.getCommit({ owner, repo, ref: first })).data
        .commit.message,
    ).toBe('Fix');
    const remote = (await git(work, 'ls-remote', gh.cloneUrl(owner, repo)))
      .stdout;
    expect(remote).toContain(`${first}\trefs/pull/1/head`);

    await fs.writeFile(path.join(work, 'v.txt'), '3\n');
    await git(work, 'commit', '-am', 'Fix again');
    await git(work, 'push', 'origin', 'fix');
    const second = (await git(work, 'rev-parse', 'HEAD')).stdout.trim();
    const moved = await octokit.rest.pulls.get({ owner, repo, pull_number: 1 });
    expect(moved.data.head.sha).toBe(second);
    expect(
      (await git(work, 'ls-remote', gh.cloneUrl(owner, repo))).stdout,
    ).toContain(`${second}\trefs/pull/1/head`);

    await gh.webhooksIdle();
    const opened: PullRequestOpenedEvent = hooks.of('pull_request', 'opened')[0]
      .body;
    expect(opened.pull_request.head.repo?.full_name).toBe('outsider/svc');
    expect(opened.pull_request.head.repo?.fork).toBe(true);
    const sync: PullRequestSynchronizeEvent = hooks.of(
      'pull_request',
      'synchronize',
    )[0].body;
    expect(sync).toMatchObject({
      before: first,
      after: second,
      sender: { login: 'outsider' },
    });
    expect(sync.repository.full_name).toBe('portal-org/svc');

    // refs/pull/* are GitHub's: pushing to them is refused.
    await expect(
      git(work, 'push', gh.cloneUrl(owner, repo), 'HEAD:refs/pull/1/head'),
    ).rejects.toThrow();
  });

  it('builds the same scenario in process: fork, pull request, push, /ok-to-test', async () => {
    gh.addUser('contributor');
    const fork = await gh.createFork(owner, repo, { owner: 'contributor' });
    expect(fork.parent?.name).toBe('svc');
    await gh.commitFile('contributor', repo, {
      path: 'c.txt',
      content: 'c',
      branch: 'feat',
      author: 'contributor',
    });
    gh.clock.set('2032-01-01T00:00:00Z');
    const pr = await gh.createPullRequest(owner, repo, {
      head: 'contributor:feat',
      author: 'contributor',
    });
    gh.clock.advance(60_000);
    const comment = gh.createIssueComment(owner, repo, pr.number, {
      body: '/ok-to-test',
    });
    gh.clock.advance(60_000);
    const moved = await gh.commitFile('contributor', repo, {
      path: 'c.txt',
      content: 'c2',
      branch: 'feat',
      author: 'contributor',
    });
    expect(pr.pull).toMatchObject({ headSha: moved, headRepo: fork });
    expect(pr.updatedAt).toBe('2032-01-01T00:02:00Z');
    expect(comment.createdAt).toBe('2032-01-01T00:01:00Z');

    await gh.webhooksIdle();
    const delivered = hooks
      .of('issue_comment', 'created')
      .map(r => r.body as IssueCommentCreatedEvent)
      .find(e => e.issue.number === pr.number)!;
    expect(delivered.issue.pull_request).toBeDefined();
    expect(delivered.comment).toMatchObject({
      body: '/ok-to-test',
      created_at: '2032-01-01T00:01:00Z',
      user: { login: 'portal-user' },
      author_association: 'MEMBER',
    });
    const sync = hooks
      .of('pull_request', 'synchronize')
      .map(r => r.body as PullRequestSynchronizeEvent)
      .find(e => e.number === pr.number)!;
    expect(sync.pull_request.updated_at).toBe('2032-01-01T00:02:00Z');
    expect(sync.sender.login).toBe('contributor');
    gh.clock.reset();
  });
});
