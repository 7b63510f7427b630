import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { Octokit } from '@octokit/rest';
import request from 'supertest';
import {
  createEngineWorld,
  EngineWorld,
  waitFor,
} from './__testUtils__/engineBackend';
import {
  NAMESPACE,
  OWNER,
  pipelineFile,
  REPO,
  REPOSITORY,
  TEKTON_FILES,
} from './__testUtils__/fixtures';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())('trigger engine on %s', id => {
  let world: EngineWorld;
  let knex: Awaited<ReturnType<typeof databases.init>>;

  beforeAll(async () => {
    knex = await databases.init(id);
    world = await createEngineWorld(knex);
  });
  beforeEach(() => world.start());
  afterEach(async () => {
    await world.stopBackend();
    world.gh.faults.clear();
  });
  afterAll(() => world.close());

  const runsAt = (sha: string) =>
    world.kube
      .list('tekton.dev/v1', 'PipelineRun', { namespace: NAMESPACE })
      .filter(r => r.metadata?.annotations?.['pipeline-portal.io/sha'] === sha);
  const statusesAt = (sha: string) =>
    world.gh.repo(OWNER, REPO)!.statuses.filter(s => s.sha === sha);
  const delivery = (guid: string) =>
    waitFor(async () => {
      const res = await request(world.url())
        .get(`/api/spotguides/deliveries?repository=${REPOSITORY}&limit=500`)
        .set('Authorization', mockCredentials.user.header());
      const d = res.body.items.find((x: any) => x.id === guid);
      return d && d.decision !== 'pending' ? d : undefined;
    }, `delivery ${guid} decided`);

  /** A branch holding the pipelines plus one more commit. */
  const branch = async (name: string) => {
    for (const [path, content] of Object.entries(TEKTON_FILES)) {
      await world.gh.commitFile(OWNER, REPO, { path, content, branch: name });
    }
    return world.gh.commitFile(OWNER, REPO, {
      path: 'src/app.ts',
      content: `export const branch = '${name}';\n`,
      branch: name,
    });
  };

  it('queues a delivery before answering, then runs build for a push to the default branch', async () => {
    const sha = await world.gh.commitFile(OWNER, REPO, {
      path: 'src/index.ts',
      content: 'export {};\n',
    });
    const payload = await world.gh.webhooks.push(OWNER, REPO);
    const sent = await world.send('push', payload);
    expect(sent.status).toBe(202);
    // Stored by the time GitHub got its answer.
    const row = await knex('spotguides_deliveries')
      .where({ id: sent.guid })
      .first();
    expect(row).toMatchObject({ event: 'push', repository: REPOSITORY, sha });

    const d = await delivery(sent.guid);
    expect(d).toMatchObject({ decision: 'ran', ref: 'refs/heads/main', sha });
    expect(d.runs).toEqual([
      expect.objectContaining({
        pipeline: 'build',
        namespace: NAMESPACE,
        cluster: 'dev',
      }),
    ]);
    const [run] = runsAt(sha);
    expect(run.metadata!.name).toBe(d.runs[0].name);
    expect(run.metadata!.labels).toMatchObject({
      'app.kubernetes.io/managed-by': 'pipeline-portal',
      'pipeline-portal.io/pipeline': 'build',
      'backstage.io/kubernetes-id': 'shop',
    });
    expect(run.metadata!.annotations).toMatchObject({
      'pipeline-portal.io/repository': REPOSITORY,
      'pipeline-portal.io/sha': sha,
      'pipeline-portal.io/event': 'push',
      'pipeline-portal.io/delivery': sent.guid,
      'pipeline-portal.io/status-context': 'pipeline-portal/build',
    });
    expect((run as any).spec.params).toContainEqual({
      name: 'revision',
      value: sha,
    });
    // The curated Tasks the pipelines refer to came first, into the namespace.
    const tasks = world.kube
      .list('tekton.dev/v1', 'Task', { namespace: NAMESPACE })
      .map(t => t.metadata!.name);
    expect(tasks).toEqual(
      expect.arrayContaining(['git-clone', 'build-container-image', 'npm']),
    );
    const pending = await waitFor(
      async () => statusesAt(sha)[0],
      'pending status',
    );
    expect(pending).toMatchObject({
      context: 'pipeline-portal/build',
      state: 'pending',
      targetUrl: `http://portal.test/spotguides/runs/dev/${NAMESPACE}/${
        run.metadata!.name
      }`,
    });

    const runs = await request(world.url())
      .get('/api/spotguides/runs?entityRef=component:default/shop')
      .set('Authorization', mockCredentials.user.header());
    expect(runs.status).toBe(200);
    expect(runs.body.items).toContainEqual(
      expect.objectContaining({
        name: run.metadata!.name,
        pipeline: 'build',
        sha,
        status: 'Pending',
      }),
    );
  });

  it('runs ci for a push to another branch', async () => {
    const sha = await branch('feature-x');
    const sent = await world.send(
      'push',
      await world.gh.webhooks.push(OWNER, REPO, {
        ref: 'refs/heads/feature-x',
      }),
    );
    const d = await delivery(sent.guid);
    expect(d.decision).toBe('ran');
    expect(d.runs.map((r: any) => r.pipeline)).toEqual(['ci']);
    expect(
      runsAt(sha).map(r => r.metadata!.labels!['pipeline-portal.io/pipeline']),
    ).toEqual(['ci']);
    const build = d.pipelines.find((p: any) => p.pipeline === 'build');
    expect(build.wouldRun).toBe(false);
  });

  it('runs cd for a v1.2.3 tag and for a deployment', async () => {
    const sha = (await world.gh.headSha(OWNER, REPO))!;
    const tag = await world.send(
      'push',
      await world.gh.webhooks.push(OWNER, REPO, {
        ref: 'refs/tags/v1.2.3',
        before: '0'.repeat(40),
        after: sha,
      }),
    );
    const t = await delivery(tag.guid);
    expect(t.runs.map((r: any) => r.pipeline)).toEqual(['cd']);

    const octokit = new Octokit({
      baseUrl: world.gh.url,
      auth: world.gh.token,
    });
    const { data } = await octokit.rest.repos.createDeployment({
      owner: OWNER,
      repo: REPO,
      ref: sha,
      environment: 'production',
      required_contexts: [],
      auto_merge: false,
    });
    const dep = await world.send(
      'deployment',
      world.gh.webhooks.deployment(OWNER, REPO, (data as any).id),
    );
    const d = await delivery(dep.guid);
    expect(d.runs.map((r: any) => r.pipeline)).toEqual(['cd']);
    const cdRuns = runsAt(sha).filter(
      r => r.metadata!.labels!['pipeline-portal.io/pipeline'] === 'cd',
    );
    expect(cdRuns).toHaveLength(2);
    const deployed = cdRuns.find(
      r =>
        r.metadata!.annotations!['pipeline-portal.io/event'] === 'deployment',
    ) as any;
    expect(deployed.spec.params).toContainEqual({
      name: 'environment',
      value: 'production',
    });
  });

  it('starts nothing for a fork pull request by an outsider until a collaborator comments /ok-to-test, and approves only the commit the comment saw', async () => {
    const gh = world.gh;
    gh.addUser('outsider');
    await gh.createFork(OWNER, REPO, { owner: 'outsider' });
    const push = (n: number) =>
      gh.commitFile('outsider', REPO, {
        path: 'src/fork.ts',
        content: `export const n = ${n};\n`,
        branch: 'fork-change',
        author: 'outsider',
      });
    const first = await push(1);
    const pr = await gh.createPullRequest(OWNER, REPO, {
      head: 'outsider:fork-change',
      author: 'outsider',
    });
    const opened = await world.send(
      'pull_request',
      await gh.webhooks.pullRequest(OWNER, REPO, {
        action: 'opened',
        number: pr.number,
      }),
    );
    const waiting = await delivery(opened.guid);
    expect(waiting.decision).toBe('needs-approval');
    expect(waiting.reason).toContain('outsider');
    expect(runsAt(first)).toEqual([]);
    const approval = await waitFor(
      async () => statusesAt(first)[0],
      'approval status',
    );
    expect(approval).toMatchObject({
      context: 'pipeline-portal/ci',
      state: 'pending',
    });
    expect(approval.description).toContain('/ok-to-test');

    /** A comment written now, delivered as GitHub delivers it. */
    const comment = async (author: string, body: string) => {
      const written = gh.createIssueComment(OWNER, REPO, pr.number, {
        body,
        author,
      });
      const payload = gh.webhooks.issueComment(OWNER, REPO, written);
      return { payload, sent: await world.send('issue_comment', payload) };
    };
    const byOutsider = await comment('outsider', '/ok-to-test');
    expect((await delivery(byOutsider.sent.guid)).decision).toBe('refused');
    expect(runsAt(first)).toEqual([]);

    // The collaborator approves what they saw; the fork pushes again after.
    gh.clock.set(Date.now());
    const ok = await comment(gh.login, '/ok-to-test');
    gh.clock.advance(60_000);
    const second = await push(2);
    const synchronized = await world.send(
      'pull_request',
      await gh.webhooks.pullRequest(OWNER, REPO, {
        action: 'synchronize',
        number: pr.number,
        before: first,
      }),
    );
    gh.clock.reset();
    const approved = await delivery(ok.sent.guid);
    expect(approved.decision).toBe('ran');
    expect(approved.runs.map((r: any) => r.pipeline)).toEqual(['ci']);
    const [run] = runsAt(first);
    expect(run.metadata!.annotations!['pipeline-portal.io/event']).toBe(
      'pull_request',
    );
    // The push made after the comment waits for its own approval.
    expect((await delivery(synchronized.guid)).decision).toBe('needs-approval');
    expect(runsAt(second)).toEqual([]);

    // The same comment delivered again is acted on once: it approves nothing.
    const replayed = await world.send('issue_comment', ok.payload);
    expect((await delivery(replayed.guid)).decision).toBe('duplicate');
    expect(runsAt(second)).toEqual([]);
  });

  it('fails only the broken file, or the run its cluster refuses, on its own commit status', async () => {
    await world.gh.commitFile(OWNER, REPO, {
      path: '.tekton/lint.yaml',
      content:
        'apiVersion: tekton.dev/v1\nkind: PipelineRun\nmetadata: [oops\n',
    });
    await world.gh.commitFile(OWNER, REPO, {
      path: '.tekton/docs.yaml',
      content: pipelineFile('docs', 'push:\n  branches: [main]'),
    });
    // Valid YAML that Tekton's schema refuses: the cluster says 422.
    await world.gh.commitFile(OWNER, REPO, {
      path: '.tekton/typo.yaml',
      content: pipelineFile('typo', 'push:\n  branches: [main]').replace(
        'spec:\n',
        'spec:\n  timeouts:\n    pipeline: 5\n',
      ),
    });
    const sha = (await world.gh.headSha(OWNER, REPO))!;
    const sent = await world.send(
      'push',
      await world.gh.webhooks.push(OWNER, REPO),
    );
    const d = await delivery(sent.guid);
    expect(d.decision).toBe('ran');
    expect(d.reason).toContain('typo');
    expect(d.runs.map((r: any) => r.pipeline).sort()).toEqual([
      'build',
      'docs',
    ]);
    const lint = d.pipelines.find((p: any) => p.file === '.tekton/lint.yaml');
    expect(lint).toMatchObject({ wouldRun: false });
    expect(lint.error).toBeDefined();
    const statuses = await waitFor(
      async () => (statusesAt(sha).length >= 4 ? statusesAt(sha) : undefined),
      'four statuses',
    );
    expect(statuses.map(s => [s.context, s.state]).sort()).toEqual([
      ['pipeline-portal/build', 'pending'],
      ['pipeline-portal/docs', 'pending'],
      ['pipeline-portal/lint', 'failure'],
      ['pipeline-portal/typo', 'failure'],
    ]);
    // Later commits carry the fixes.
    await world.gh.commitFile(OWNER, REPO, {
      path: '.tekton/lint.yaml',
      content: pipelineFile('lint', 'push:\n  branches: [release]'),
    });
    await world.gh.commitFile(OWNER, REPO, {
      path: '.tekton/typo.yaml',
      content: pipelineFile('typo', 'push:\n  branches: [release]'),
    });
  });

  it('explains for a commit and event which pipelines would run and why', async () => {
    const sha = (await world.gh.headSha(OWNER, REPO))!;
    const res = await request(world.url())
      .post('/api/spotguides/explain')
      .set('Authorization', mockCredentials.user.header())
      .send({
        repository: REPOSITORY,
        sha,
        event: 'push',
        ref: 'refs/heads/main',
      });
    expect(res.status).toBe(200);
    const byPipeline = Object.fromEntries(
      res.body.pipelines.map((p: any) => [p.pipeline, p.wouldRun]),
    );
    expect(byPipeline).toMatchObject({ build: true, ci: false, cd: false });

    const bad = await request(world.url())
      .post('/api/spotguides/explain')
      .set('Authorization', mockCredentials.user.header())
      .send({ repository: REPOSITORY, sha: 'main', event: 'tag' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('/sha');
    expect(bad.body.error.message).toContain('/event');
  });
});
