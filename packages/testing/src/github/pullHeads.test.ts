import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Octokit } from '@octokit/rest';
import type { PullRequestSynchronizeEvent } from '@octokit/webhooks-types';
import { GitHubDouble, startGitHub } from './index';
import { git, quiet, receiver } from './testSupport';

describe('GitHub double: pull request heads follow pushes', () => {
  let gh: GitHubDouble;
  let octokit: Octokit;
  let hooks: Awaited<ReturnType<typeof receiver>>;
  let tmp: string;
  const owner = 'portal-org';
  const repo = 'svc';
  /** A branch off main with one commit changing `file`, and a pull request. */
  const branchWithPull = async (name: string, file = `${name}.txt`) => {
    await octokit.rest.git.createRef({
      owner,
      repo,
      ref: `refs/heads/${name}`,
      sha: (await gh.headSha(owner, repo))!,
    });
    await gh.commitFile(owner, repo, {
      path: file,
      content: name,
      branch: name,
    });
    return gh.createPullRequest(owner, repo, { head: name });
  };

  beforeAll(async () => {
    gh = await startGitHub({ clock: '2024-05-01T10:00:00Z' });
    octokit = new Octokit({ baseUrl: gh.url, auth: gh.token, log: quiet });
    hooks = await receiver('s3cret');
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'gh-heads-test-'));
    await gh.createRepo(owner, repo, { autoInit: true });
    await octokit.rest.repos.createWebhook({
      owner,
      repo,
      events: ['pull_request'],
      config: { url: hooks.url, content_type: 'json', secret: 's3cret' },
    });
    await branchWithPull('feature');
    await branchWithPull('p2', 'p.txt');
  });

  afterAll(async () => {
    await gh.close();
    await hooks.close();
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('moves the head with git pushes and commitFile, and delivers synchronize', async () => {
    const before = hooks.of('pull_request', 'synchronize').length;
    const work = path.join(tmp, 'svc');
    await git(
      tmp,
      'clone',
      '--branch',
      'feature',
      gh.cloneUrl(owner, repo),
      work,
    );
    await fs.writeFile(path.join(work, 'feature.txt'), 'changed\n');
    await git(work, 'commit', '-am', 'Change feature');
    gh.clock.set('2024-05-01T11:00:00Z');
    await git(work, 'push', 'origin', 'feature');
    const pushed = (await git(work, 'rev-parse', 'HEAD')).stdout.trim();
    const pr = await octokit.rest.pulls.get({ owner, repo, pull_number: 1 });
    expect(pr.data.head.sha).toBe(pushed);
    expect(pr.data.updated_at).toBe('2024-05-01T11:00:00Z');
    expect(pr.data.commits).toBe(2);
    expect(gh.issue(owner, repo, 1)?.pull?.headSha).toBe(pushed);

    gh.clock.advance(5_000);
    const next = await gh.commitFile(owner, repo, {
      path: 'feature.txt',
      content: 'again\n',
      branch: 'feature',
    });
    await gh.webhooksIdle();
    const syncs = hooks.of('pull_request', 'synchronize').slice(before);
    expect(syncs).toHaveLength(2);
    const [first, second] = syncs.map(
      s => s.body as PullRequestSynchronizeEvent,
    );
    expect(first.after).toBe(pushed);
    expect(first.pull_request.head.sha).toBe(pushed);
    expect(first.pull_request.updated_at).toBe('2024-05-01T11:00:00Z');
    expect(second).toMatchObject({ before: pushed, after: next, number: 1 });
    expect(second.pull_request.updated_at).toBe('2024-05-01T11:00:05Z');

    // The payload builder reads the same record as the API.
    const built = await gh.webhooks.pullRequest(owner, repo, {
      action: 'synchronize',
      number: 1,
    });
    const api = await octokit.rest.pulls.get({ owner, repo, pull_number: 1 });
    expect(built).toMatchObject({ before: pushed, after: next });
    expect(built.pull_request.head.sha).toBe(api.data.head.sha);
    expect(built.pull_request.updated_at).toBe(api.data.updated_at);

    // Closed pull requests do not follow their branch.
    await octokit.rest.pulls.update({
      owner,
      repo,
      pull_number: 2,
      state: 'closed',
    });
    await gh.commitFile(owner, repo, {
      path: 'p.txt',
      content: 'x',
      branch: 'p2',
    });
    expect(
      (await octokit.rest.pulls.get({ owner, repo, pull_number: 2 })).data.head
        .sha,
    ).not.toBe(await gh.headSha(owner, repo, 'p2'));
  });

  it('follows heads without delivering when push events are not auto-delivered', async () => {
    const quietGh = await startGitHub({ autoDeliverPushEvents: false });
    const local = await receiver('x');
    try {
      await quietGh.createRepo(owner, 'q', { autoInit: true });
      await new Octokit({
        baseUrl: quietGh.url,
        auth: quietGh.token,
      }).rest.repos.createWebhook({
        owner,
        repo: 'q',
        events: ['pull_request'],
        config: { url: local.url, content_type: 'json', secret: 'x' },
      });
      await quietGh.commitFile(owner, 'q', {
        path: 'a',
        content: 'a',
        branch: 'b',
      });
      const pr = await quietGh.createPullRequest(owner, 'q', { head: 'b' });
      const sha = await quietGh.commitFile(owner, 'q', {
        path: 'a',
        content: 'b',
        branch: 'b',
      });
      expect(pr.pull.headSha).toBe(sha);
      await quietGh.webhooksIdle();
      expect(local.of('pull_request').map(r => r.body.action)).toEqual([
        'opened',
      ]);
    } finally {
      await quietGh.close();
      await local.close();
    }
  });
});
