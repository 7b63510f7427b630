import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { GitHubDouble, startGitHub } from '@pipeline-portal/testing';
import {
  OWNER,
  REPO,
  REPOSITORY,
  TEKTON_FILES,
} from '../__testUtils__/fixtures';
import { GitHubClients } from './octokit';
import {
  MAX_PIPELINE_FILE_BYTES,
  MAX_PIPELINE_FILES,
  PipelineReadLimitError,
  TektonReader,
} from './TektonReader';

jest.setTimeout(60_000);

describe('TektonReader', () => {
  let gh: GitHubDouble;
  let clients: GitHubClients;

  beforeAll(async () => {
    gh = await startGitHub({ rateLimit: 100_000 });
    await gh.createRepo(OWNER, REPO, { autoInit: true });
    for (const [path, content] of Object.entries(TEKTON_FILES)) {
      await gh.commitFile(OWNER, REPO, { path, content });
    }
    clients = new GitHubClients(
      new ConfigReader({
        integrations: {
          github: [{ host: gh.host, apiBaseUrl: gh.url, token: gh.token }],
        },
      }),
      mockServices.logger.mock(),
    );
  });
  afterAll(() => gh.close());

  const used = () => gh.rateLimit.snapshot(gh.token).used;
  const client = () =>
    clients.forRepository(`https://${gh.host}/${REPOSITORY}`);
  const push = async (path: string) => {
    await gh.commitFile(OWNER, REPO, { path, content: `${Math.random()}\n` });
    const p = await gh.webhooks.push(OWNER, REPO);
    return {
      sha: p.after,
      hint: {
        before: p.before,
        commits: p.commits,
        forced: p.forced,
        created: p.created,
      },
    };
  };

  it('reads every pipeline file at a commit, in path order', async () => {
    const reader = new TektonReader();
    const sha = (await gh.headSha(OWNER, REPO))!;
    const files = await reader.read(await client(), REPOSITORY, sha);
    expect(files.map(f => f.path)).toEqual([
      '.tekton/build.yaml',
      '.tekton/cd.yaml',
      '.tekton/ci.yaml',
    ]);
    expect(files[0].content).toBe(TEKTON_FILES['.tekton/build.yaml']);
    expect(reader.stats.primary).toBe(4);
  });

  it('spends no primary quota on a push that did not touch .tekton/', async () => {
    const reader = new TektonReader();
    const first = await push('README.md');
    await reader.read(await client(), REPOSITORY, first.sha);
    const before = used();
    const second = await push('src/index.ts');
    const files = await reader.read(
      await client(),
      REPOSITORY,
      second.sha,
      second.hint,
    );
    expect(files).toHaveLength(3);
    expect(used() - before).toBe(0);
  });

  it('follows pushes received out of order back to a known listing, free; stops at one that touched .tekton/', async () => {
    const first = await push('README.md');
    const second = await push('src/a.ts');
    const third = await push('src/b.ts');
    const received = new Map([
      [second.sha, second.hint],
      [third.sha, third.hint],
    ]);
    const asked: string[] = [];
    const reader = new TektonReader({
      pushes: {
        pushTo: async (_repository, sha) => {
          asked.push(sha);
          return received.get(sha);
        },
      },
    });
    await reader.read(await client(), REPOSITORY, first.sha);
    const before = used();
    // The third push is processed before the second.
    expect(
      await reader.read(await client(), REPOSITORY, third.sha, third.hint),
    ).toHaveLength(3);
    expect(asked).toEqual([second.sha]);
    // The second's listing was carried over on the way: no lookup at all.
    await reader.read(await client(), REPOSITORY, second.sha, second.hint);
    expect(asked).toEqual([second.sha]);
    expect(used() - before).toBe(0);

    // A parent that changed .tekton/ ends the walk: the listing is read.
    const changed = await push('.tekton/extra.yaml');
    const after = await push('src/c.ts');
    received.set(changed.sha, changed.hint);
    const files = await reader.read(
      await client(),
      REPOSITORY,
      after.sha,
      after.hint,
    );
    expect(files.map(f => f.path)).toContain('.tekton/extra.yaml');
  });

  it("waits briefly for a parent push's delivery that has not arrived yet", async () => {
    const first = await push('README.md');
    const second = await push('src/d.ts');
    const third = await push('src/e.ts');
    // The parent's delivery arrives 60 ms after it is first looked for.
    let arrivesAt: number | undefined;
    const pushes = {
      pushTo: async (_repository: string, sha: string) => {
        arrivesAt ??= Date.now() + 60;
        return sha === second.sha && Date.now() >= arrivesAt
          ? second.hint
          : undefined;
      },
    };
    const reader = new TektonReader({ pushes });
    await reader.read(await client(), REPOSITORY, first.sha);
    const before = used();
    await reader.read(await client(), REPOSITORY, third.sha, third.hint);
    expect(used() - before).toBe(0);

    // Without the wait the listing is read.
    const impatient = new TektonReader({ pushes, parentWaitMs: 0 });
    await impatient.read(await client(), REPOSITORY, first.sha);
    const fourth = await push('src/f.ts');
    const fifth = await push('src/g.ts');
    const beforeImpatient = used();
    await impatient.read(await client(), REPOSITORY, fifth.sha, fifth.hint);
    expect(used() - beforeImpatient).toBe(1);
    expect(fifth.hint.before).toBe(fourth.sha);
  });

  it("waits, within one deadline, for a grandparent's delivery that arrives after its child's", async () => {
    const first = await push('README.md');
    const second = await push('src/h.ts');
    const third = await push('src/i.ts');
    const fourth = await push('src/j.ts');
    // The third push is stored; the second arrives 60 ms after the walk
    // first asks for it.
    let arrivesAt: number | undefined;
    const pushes = {
      pushTo: async (_repository: string, sha: string) => {
        if (sha === third.sha) return third.hint;
        if (sha !== second.sha) return undefined;
        arrivesAt ??= Date.now() + 60;
        return Date.now() >= arrivesAt ? second.hint : undefined;
      },
    };
    const reader = new TektonReader({ pushes });
    await reader.read(await client(), REPOSITORY, first.sha);
    const before = used();
    await reader.read(await client(), REPOSITORY, fourth.sha, fourth.hint);
    expect(used() - before).toBe(0);
    expect(arrivesAt).toBeDefined();
  });

  it('reads the listing again when a push changed .tekton/, but only the changed file', async () => {
    const reader = new TektonReader();
    const first = await push('README.md');
    await reader.read(await client(), REPOSITORY, first.sha);
    const before = used();
    const changed = await push('.tekton/extra.yaml');
    const files = await reader.read(
      await client(),
      REPOSITORY,
      changed.sha,
      changed.hint,
    );
    expect(files.map(f => f.path)).toContain('.tekton/extra.yaml');
    // The listing and the new file; the three unchanged ones by blob sha.
    expect(used() - before).toBe(2);
  });

  it('answers a repeated read of a branch with a free 304', async () => {
    const reader = new TektonReader();
    await reader.read(await client(), REPOSITORY, 'main');
    const before = used();
    await reader.read(await client(), REPOSITORY, 'main');
    expect(used() - before).toBe(0);
    expect(reader.stats.notModified).toBe(1);
  });

  it('finds no files where there is no .tekton folder', async () => {
    await gh.createRepo(OWNER, 'empty', { autoInit: true });
    const reader = new TektonReader();
    const sha = (await gh.headSha(OWNER, 'empty'))!;
    expect(await reader.read(await client(), `${OWNER}/empty`, sha)).toEqual(
      [],
    );
  });

  it('refuses, before reading any file, a commit with more pipeline files or bytes than it reads', async () => {
    await gh.createRepo(OWNER, 'crowded', { autoInit: true });
    for (let i = 0; i <= MAX_PIPELINE_FILES; i++) {
      await gh.commitFile(OWNER, 'crowded', {
        path: `.tekton/p${i}.yaml`,
        content: 'kind: PipelineRun\n',
      });
    }
    await gh.createRepo(OWNER, 'heavy', { autoInit: true });
    await gh.commitFile(OWNER, 'heavy', {
      path: '.tekton/big.yaml',
      content: `# ${'x'.repeat(MAX_PIPELINE_FILE_BYTES)}\n`,
    });
    const reader = new TektonReader();
    const read = async (repo: string) => {
      const sha = (await gh.headSha(OWNER, repo))!;
      const before = gh.requests.length;
      const error = await reader
        .read(
          await clients.forRepository(`https://${gh.host}/${OWNER}/${repo}`),
          `${OWNER}/${repo}`,
          sha,
        )
        .catch(e => e);
      // The listing only: no file was fetched.
      return { error, requests: gh.requests.length - before };
    };
    const crowded = await read('crowded');
    expect(crowded.error).toBeInstanceOf(PipelineReadLimitError);
    expect(crowded.error.message).toBe(
      `${OWNER}/crowded has ${
        MAX_PIPELINE_FILES + 1
      } pipeline files in .tekton/; at most ${MAX_PIPELINE_FILES} are read`,
    );
    expect(crowded.requests).toBe(1);
    const heavy = await read('heavy');
    expect(heavy.error).toBeInstanceOf(PipelineReadLimitError);
    expect(heavy.error.message).toContain(
      `pipeline files of at most ${MAX_PIPELINE_FILE_BYTES} bytes are read`,
    );
    expect(heavy.requests).toBe(1);
  });
});
