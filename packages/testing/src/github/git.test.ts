import { execFile } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Octokit } from '@octokit/rest';
import type { PushEvent } from '@octokit/webhooks-types';
import { GitHubDouble, startGitHub } from './index';

const run = promisify(execFile);
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** A local receiver that checks signatures the way a webhook consumer should. */
async function receiver(secret: string) {
  const received: Array<{
    headers: http.IncomingHttpHeaders;
    body: string;
    valid: boolean;
  }> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const expected = Buffer.from(
        `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
      );
      const got = Buffer.from(String(req.headers['x-hub-signature-256'] ?? ''));
      received.push({
        headers: req.headers,
        body,
        valid: got.length === expected.length && timingSafeEqual(got, expected),
      });
      res.writeHead(202).end('ok');
    });
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    close: () => new Promise<void>(r => server.close(() => r())),
  };
}

describe('GitHub double: git smart HTTP and webhooks', () => {
  let gh: GitHubDouble;
  let octokit: Octokit;
  let tmp: string;
  let hooks: Awaited<ReturnType<typeof receiver>>;
  const git = (cwd: string, ...args: string[]) =>
    run(
      'git',
      [
        '-c',
        'user.name=Dev',
        '-c',
        'user.email=dev@example.com',
        '-c',
        'init.defaultBranch=main',
        ...args,
      ],
      {
        cwd,
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
      },
    );

  beforeAll(async () => {
    gh = await startGitHub();
    octokit = new Octokit({ baseUrl: gh.url, auth: gh.token, log: quiet });
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'gh-git-test-'));
    hooks = await receiver('topsecret');
  });

  afterAll(async () => {
    await gh.close();
    await hooks.close();
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('clones and pushes with the git CLI; the REST API and push hooks see the commit', async () => {
    await octokit.rest.repos.createInOrg({
      org: 'portal-org',
      name: 'app',
      auto_init: true,
    });
    const hook = await octokit.rest.repos.createWebhook({
      owner: 'portal-org',
      repo: 'app',
      events: ['push', 'create'],
      config: { url: hooks.url, content_type: 'json', secret: 'topsecret' },
    });
    await gh.webhooksIdle();
    expect(hooks.received.map(r => r.headers['x-github-event'])).toEqual([
      'ping',
    ]);

    const work = path.join(tmp, 'app');
    await git(tmp, 'clone', gh.cloneUrl('portal-org', 'app'), work);
    expect(await fs.readFile(path.join(work, 'README.md'), 'utf8')).toBe(
      '# app\n',
    );
    await fs.writeFile(
      path.join(work, 'catalog-info.yaml'),
      'kind: Component\n',
    );
    await git(work, 'add', '.');
    await git(work, 'commit', '-m', 'Add catalog file');
    await git(work, 'push', 'origin', 'main');
    const { stdout } = await git(work, 'rev-parse', 'HEAD');
    const sha = stdout.trim();

    const commit = await octokit.rest.repos.getCommit({
      owner: 'portal-org',
      repo: 'app',
      ref: 'main',
    });
    expect(commit.data.sha).toBe(sha);
    expect(commit.data.commit.message).toBe('Add catalog file');
    const file = await octokit.rest.repos.getContent({
      owner: 'portal-org',
      repo: 'app',
      path: 'catalog-info.yaml',
    });
    expect(
      Buffer.from(
        (file.data as { content: string }).content,
        'base64',
      ).toString(),
    ).toBe('kind: Component\n');

    await gh.webhooksIdle();
    const push = hooks.received.find(
      r => r.headers['x-github-event'] === 'push',
    )!;
    expect(push.valid).toBe(true);
    expect(push.headers).toMatchObject({
      'content-type': 'application/json',
      'x-github-hook-id': String(hook.data.id),
    });
    expect(push.headers['user-agent']).toMatch(/^GitHub-Hookshot\//);
    expect(push.headers['x-github-delivery']).toMatch(/^[0-9a-f-]{36}$/);
    const payload = JSON.parse(push.body) as PushEvent;
    expect(payload).toMatchObject({
      ref: 'refs/heads/main',
      after: sha,
      created: false,
      forced: false,
    });
    expect(payload.head_commit).toMatchObject({
      id: sha,
      added: ['catalog-info.yaml'],
    });
    expect(payload.repository.full_name).toBe('portal-org/app');
    expect(gh.deliveries.filter(d => d.event === 'push')[0].status).toBe(202);
  });

  it('pushes a new repository like a first push, and rejects bad or missing credentials', async () => {
    await octokit.rest.repos.createForAuthenticatedUser({ name: 'fresh' });
    const work = path.join(tmp, 'fresh');
    await fs.mkdir(work);
    await git(work, 'init', '-b', 'develop');
    await fs.writeFile(path.join(work, 'a.txt'), 'a');
    await git(work, 'add', '.');
    await git(work, 'commit', '-m', 'first');
    await git(work, 'tag', 'v1.0.0');
    await git(
      work,
      'push',
      gh.cloneUrl('portal-user', 'fresh'),
      'develop',
      'v1.0.0',
    );
    expect(
      (await octokit.rest.repos.get({ owner: 'portal-user', repo: 'fresh' }))
        .data.default_branch,
    ).toBe('develop');
    expect(
      (
        await octokit.rest.git.getRef({
          owner: 'portal-user',
          repo: 'fresh',
          ref: 'tags/v1.0.0',
        })
      ).data.object.sha,
    ).toBe(await gh.headSha('portal-user', 'fresh'));

    const noAuth = `${gh.webUrl}/portal-user/fresh.git`;
    await expect(git(work, 'push', noAuth, 'develop')).rejects.toThrow(
      /Authentication failed|could not read Username|401/,
    );
    const badAuth = gh.cloneUrl('portal-user', 'fresh', 'wrong-token');
    // Public repositories clone anonymously (credentials are only sent on a 401).
    await git(work, 'ls-remote', badAuth);
    await expect(git(work, 'push', badAuth, 'develop')).rejects.toThrow(
      /Authentication failed|401/,
    );
    const readerToken = gh.addUser('reader');
    await expect(
      git(
        work,
        'push',
        gh.cloneUrl('portal-user', 'fresh', readerToken),
        'develop',
      ),
    ).rejects.toThrow();
  });

  it('sends typed, signed events built from the repository state', async () => {
    const sha = await gh.commitFile('portal-org', 'app', {
      path: 'x.txt',
      content: 'x',
      branch: 'feature',
    });
    const target = { url: hooks.url, secret: 'topsecret', hookId: 1 };

    const push = await gh.webhooks.push('portal-org', 'app', {
      ref: 'refs/heads/feature',
    });
    expect(push.after).toBe(sha);
    const pr = await gh.webhooks.pullRequest('portal-org', 'app', {
      action: 'opened',
      number: 7,
      head: 'feature',
    });
    const create = gh.webhooks.create('portal-org', 'app', {
      ref: 'refs/tags/v2',
      refType: 'tag',
    });
    const dep = await octokit.rest.repos.createDeployment({
      owner: 'portal-org',
      repo: 'app',
      ref: 'main',
      required_contexts: [],
    });
    const deployment = gh.webhooks.deployment(
      'portal-org',
      'app',
      (dep.data as { id: number }).id,
    );
    const hookId = gh.repo('portal-org', 'app')!.hooks[0].id;
    const ping = gh.webhooks.ping('portal-org', 'app', hookId);

    const before = hooks.received.length;
    for (const d of [
      await gh.sendWebhook(target, 'push', push),
      await gh.sendWebhook(target, 'pull_request', pr),
      await gh.sendWebhook(target, 'create', create),
      await gh.sendWebhook(target, 'deployment', deployment),
      await gh.sendWebhook(target, 'ping', ping),
    ]) {
      expect(d.status).toBe(202);
    }
    const got = hooks.received.slice(before);
    expect(got.map(r => r.headers['x-github-event'])).toEqual([
      'push',
      'pull_request',
      'create',
      'deployment',
      'ping',
    ]);
    expect(got.every(r => r.valid)).toBe(true);
    const prBody = JSON.parse(got[1].body);
    expect(prBody).toMatchObject({
      action: 'opened',
      number: 7,
      pull_request: { head: { ref: 'feature', sha }, base: { ref: 'main' } },
    });
    expect(JSON.parse(got[2].body)).toMatchObject({
      ref: 'v2',
      ref_type: 'tag',
    });

    // A wrong secret yields a signature the receiver rejects.
    await gh.sendWebhook({ ...target, secret: 'other' }, 'ping', ping);
    expect(hooks.received[hooks.received.length - 1].valid).toBe(false);
  });
});
