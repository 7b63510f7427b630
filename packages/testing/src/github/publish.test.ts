import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { createPublishGithubAction } from '@backstage/plugin-scaffolder-backend-module-github';
import { Octokit } from '@octokit/rest';
import { GitHubDouble, startGitHub } from './index';

const logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return logger;
  },
};

describe("Backstage's publish:github against the double", () => {
  let gh: GitHubDouble;
  let workspace: string;

  beforeAll(async () => {
    gh = await startGitHub();
    workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'publish-ws-'));
    await fs.writeFile(
      path.join(workspace, 'catalog-info.yaml'),
      'kind: Component\n',
    );
    await fs.mkdir(path.join(workspace, 'src'));
    await fs.writeFile(
      path.join(workspace, 'src', 'main.go'),
      'package main\n',
    );
  });

  afterAll(async () => {
    await gh.close();
    await fs.rm(workspace, { recursive: true, force: true });
  });

  it('creates the repository, pushes with isomorphic-git and protects the branch', async () => {
    const config = new ConfigReader({
      integrations: {
        github: [{ host: gh.host, apiBaseUrl: gh.url, token: gh.token }],
      },
    });
    const action = createPublishGithubAction({
      integrations: ScmIntegrations.fromConfig(config),
      config,
    });
    const outputs: Record<string, unknown> = {};
    await action.handler({
      input: {
        repoUrl: `${gh.host}?owner=portal-org&repo=published`,
        description: 'Scaffolded',
        defaultBranch: 'main',
        topics: ['backstage'],
      },
      workspacePath: workspace,
      logger,
      output: (name: string, value: unknown) => {
        outputs[name] = value;
      },
      checkpoint: async ({ fn }: { fn: () => Promise<unknown> }) => fn(),
      createTemporaryDirectory: () =>
        fs.mkdtemp(path.join(os.tmpdir(), 'publish-tmp-')),
      getInitiatorCredentials: async () => ({
        $$type: '@backstage/BackstageCredentials',
        principal: { type: 'none' },
      }),
      task: { id: 'task-1' },
      isDryRun: false,
      signal: new AbortController().signal,
      each: undefined,
    } as any);

    const head = await gh.headSha('portal-org', 'published');
    expect(outputs).toMatchObject({
      remoteUrl: `${gh.webUrl}/portal-org/published.git`,
      repoContentsUrl: `${gh.webUrl}/portal-org/published/blob/main`,
      commitHash: head,
    });
    expect(await gh.readFile('portal-org', 'published', 'src/main.go')).toBe(
      'package main\n',
    );

    const octokit = new Octokit({ baseUrl: gh.url, auth: gh.token });
    const repo = await octokit.rest.repos.get({
      owner: 'portal-org',
      repo: 'published',
    });
    expect(repo.data).toMatchObject({
      private: true,
      description: 'Scaffolded',
      default_branch: 'main',
      topics: ['backstage'],
    });
    const protection = await octokit.rest.repos.getBranchProtection({
      owner: 'portal-org',
      repo: 'published',
      branch: 'main',
    });
    expect(protection.data.enforce_admins?.enabled).toBe(true);
    expect(
      protection.data.required_pull_request_reviews
        ?.required_approving_review_count,
    ).toBe(1);

    const calls = gh.requests.map(r => `${r.method} ${r.path}`);
    expect(calls).toEqual(
      expect.arrayContaining([
        'GET /api/v3/users/portal-org',
        'POST /api/v3/orgs/portal-org/repos',
        'GET /portal-org/published.git/info/refs',
        'POST /portal-org/published.git/git-receive-pack',
        'PUT /api/v3/repos/portal-org/published/branches/main/protection',
      ]),
    );
  });
});
