import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import {
  GitHubDouble,
  KubeApi,
  playTekton,
  startGitHub,
  startKubeApi,
  TEKTON_CRDS,
  TektonDouble,
} from '@pipeline-portal/testing';
import { StatusQueue } from '../engine/StatusQueue';
import { RunStore } from '../store';
import {
  readReportingSettings,
  scheduleStatusReporting,
  StatusClients,
  StatusReporter,
} from './index';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const BASE = 'https://portal.example.com';

/** The engine's client: throttled (writes spaced, short retry-after waited out) with retries. */
function githubClients(gh: GitHubDouble): StatusClients & { posts: number[] } {
  const Client = Octokit.plugin(throttling, retry);
  const octokit = new Client({
    baseUrl: gh.url,
    auth: gh.token,
    log: { debug() {}, info() {}, warn() {}, error() {} },
    throttle: {
      onRateLimit: (after: number, _o: unknown, _k: unknown, count: number) =>
        count < 1 && after <= 2,
      onSecondaryRateLimit: (
        after: number,
        _o: unknown,
        _k: unknown,
        count: number,
      ) => count < 1 && after <= 2,
    },
  });
  // Records how many writes are in flight at each write's start.
  let inFlight = 0;
  const posts: number[] = [];
  const create = octokit.rest.repos.createCommitStatus;
  const wrapped: any = async (params: any) => {
    posts.push(++inFlight);
    try {
      return await create(params);
    } finally {
      inFlight--;
    }
  };
  return {
    posts,
    webUrl: repository => `${gh.webUrl}/${repository}`,
    forRepository: async () =>
      ({ rest: { repos: { createCommitStatus: wrapped } } } as any),
  };
}

describe.each(databases.eachSupportedId())('StatusReporter on %s', dbId => {
  // Names differ per database: both suites share nothing but stay apart in logs.
  const sfx = dbId.toLowerCase().replace(/_/g, '-');
  let kube: KubeApi;
  let tekton: TektonDouble;
  let gh: GitHubDouble;
  let runs: RunStore;
  let custom: CustomObjectsApi;
  let sha: string;
  const logger = mockServices.logger.mock();

  beforeAll(async () => {
    kube = await startKubeApi({ crds: TEKTON_CRDS, namespaces: ['payments'] });
    const kc = new KubeConfig();
    kc.loadFromOptions(kube.kubeConfig);
    custom = kc.makeApiClient(CustomObjectsApi);
    gh = await startGitHub({ orgs: ['payments'] });
    await gh.createRepo('payments', 'orders', { autoInit: true });
    sha = (await gh.headSha('payments', 'orders'))!;
  });
  afterAll(async () => {
    await gh.close();
    await kube.close();
  });
  beforeEach(async () => {
    tekton = playTekton(kube, { startAfterMs: 1, finishAfterMs: 1 });
    runs = await RunStore.create({ database: await databases.init(dbId) });
  });
  afterEach(() => {
    tekton.stop();
    gh.faults.clear();
  });

  /** What the engine does: create the PipelineRun and record it (pending written or not). */
  async function engineRun(
    name: string,
    pipeline: string,
    reportedStatus?: 'Pending',
  ) {
    kube.create({
      apiVersion: 'tekton.dev/v1',
      kind: 'PipelineRun',
      metadata: {
        name,
        namespace: 'payments',
        labels: { 'app.kubernetes.io/managed-by': 'pipeline-portal' },
      },
      spec: { pipelineRef: { name: pipeline } },
    });
    await runs.insert({
      cluster: 'payments-prod',
      namespace: 'payments',
      name,
      pipeline,
      entityRef: 'component:default/orders',
      repository: 'payments/orders',
      sha,
      event: 'push',
      deliveryId: `d-${name}`,
      statusContext: `pipeline-portal/${pipeline}`,
      reportedStatus,
    });
  }

  const reporter = (
    github: StatusClients,
    now?: () => number,
    customObjects = async () => custom,
  ) =>
    new StatusReporter({
      runs,
      github,
      customObjects,
      logger,
      appBaseUrl: BASE,
      now,
    });

  const statuses = (context: string) =>
    gh
      .repo('payments', 'orders')!
      .statuses.filter(s => s.context === context)
      .map(s => ({
        state: s.state,
        description: s.description,
        url: s.targetUrl,
      }));

  const until = async (what: () => Promise<boolean>) => {
    for (let i = 0; i < 500; i++) {
      if (await what()) return;
      await new Promise(r => setTimeout(r, 20));
    }
    throw new Error('condition not met in time');
  };

  it("writes a run's pending status once between the engine's queue and two replicas' watchers", async () => {
    const name = `orders-once-${sfx}`;
    const context = `pipeline-portal/once-${sfx}`;
    const release = tekton.holdRuns({});
    // Past the grace: the watchers stand in for the engine's write.
    await engineRun(name, `once-${sfx}`);
    const later = () => Date.now() + 60_000;
    const github = githubClients(gh);
    const queue = new StatusQueue({
      github: github as any,
      runs,
      logger,
    });
    queue.add({
      htmlUrl: `${gh.webUrl}/payments/orders`,
      repository: 'payments/orders',
      sha,
      context,
      state: 'pending',
      description: `once-${sfx} started`,
      run: { cluster: 'payments-prod', namespace: 'payments', name },
    });
    await Promise.all([
      reporter(github, later).runOnce(),
      reporter(github, later).runOnce(),
      queue.idle(),
    ]);
    expect(statuses(context)).toHaveLength(1);
    expect(statuses(context)[0].state).toBe('pending');
    expect(
      await runs.get({ cluster: 'payments-prod', namespace: 'payments', name }),
      // Running by now: the commit's pending stands for it.
    ).toMatchObject({ status: 'Running', reportedStatus: 'Running' });
    release();
  });

  it('turns the pending status green or red when the run ends, linking to the run', async () => {
    const ctx = (p: string) => `pipeline-portal/${p}-${sfx}`;
    const release = tekton.holdRuns({});
    tekton.failRuns({ name: `orders-ci-${sfx}` }, 'test step failed');
    await engineRun(`orders-build-${sfx}`, `build-${sfx}`, 'Pending');
    await engineRun(`orders-ci-${sfx}`, `ci-${sfx}`, 'Pending');
    const github = githubClients(gh);
    const r = reporter(github);

    await until(async () => {
      await r.runOnce();
      const all = await runs.listActive(10);
      return all.length === 2 && all.every(x => x.status === 'Running');
    });
    // Running changes nothing on the commit: it shows pending already.
    expect(github.posts).toEqual([]);
    expect(await runs.listUnreported(10)).toEqual([]);

    release();
    await until(async () => {
      await r.runOnce();
      return (
        (await runs.listUnreported(10)).length === 0 &&
        (await runs.listActive(10)).length === 0
      );
    });
    const build = await runs.get({
      cluster: 'payments-prod',
      namespace: 'payments',
      name: `orders-build-${sfx}`,
    });
    expect(build).toMatchObject({
      status: 'Succeeded',
      reportedStatus: 'Succeeded',
    });
    expect(build!.completedAt).toBeDefined();
    expect(statuses(ctx('build'))).toEqual([
      {
        state: 'success',
        description: `build-${sfx} succeeded`,
        url: `${BASE}/spotguides/runs/payments-prod/payments/orders-build-${sfx}`,
      },
    ]);
    expect(statuses(ctx('ci'))).toEqual([
      {
        state: 'failure',
        description: `ci-${sfx} failed: test step failed`,
        url: `${BASE}/spotguides/runs/payments-prod/payments/orders-ci-${sfx}`,
      },
    ]);
    // One write at a time.
    expect(github.posts).toEqual([1, 1]);
  });

  it('writes the pending status the engine did not, once the grace is over', async () => {
    const release = tekton.holdRuns({ name: `orders-cd-${sfx}` });
    await engineRun(`orders-cd-${sfx}`, `cd-${sfx}`);
    const github = githubClients(gh);
    await reporter(github).runOnce();
    expect(github.posts).toEqual([]);

    await reporter(github, () => Date.now() + 60_000).runOnce();
    expect(statuses(`pipeline-portal/cd-${sfx}`)).toEqual([
      expect.objectContaining({ state: 'pending' }),
    ]);
    release();
  });

  it('waits out a secondary rate limit without losing the status', async () => {
    const name = `orders-lint-${sfx}`;
    await engineRun(name, `lint-${sfx}`, 'Pending');
    await until(async () => {
      const o = kube.get({
        apiVersion: 'tekton.dev/v1',
        kind: 'PipelineRun',
        metadata: { name, namespace: 'payments' },
      }) as any;
      return o?.status?.completionTime !== undefined;
    });
    gh.faults.add({
      path: /\/statuses\//,
      method: 'POST',
      secondaryRateLimit: { retryAfter: 60 },
      times: 1,
    });
    const github = githubClients(gh);
    let now = Date.now();
    const r = reporter(github, () => now);

    const limited = await r.runOnce();
    expect(limited).toMatchObject({ changed: 1, reported: 0, deferred: 1 });
    // Before retry-after nothing is sent at all.
    now += 30_000;
    expect(await r.runOnce()).toMatchObject({ reported: 0, deferred: 1 });
    expect(github.posts).toHaveLength(1);
    expect(statuses(`pipeline-portal/lint-${sfx}`)).toEqual([]);

    now += 31_000;
    expect(await r.runOnce()).toMatchObject({ reported: 1, deferred: 0 });
    expect(statuses(`pipeline-portal/lint-${sfx}`)).toEqual([
      expect.objectContaining({ state: 'success' }),
    ]);
  });

  it('sits out a short retry-after inside the client', async () => {
    const name = `orders-docs-${sfx}`;
    await engineRun(name, `docs-${sfx}`, 'Pending');
    gh.faults.add({
      path: /\/statuses\//,
      method: 'POST',
      secondaryRateLimit: { retryAfter: 1 },
      times: 1,
    });
    const r = reporter(githubClients(gh));
    await until(async () => {
      await r.runOnce();
      return statuses(`pipeline-portal/docs-${sfx}`).length === 1;
    });
    const posts = gh.requests.filter(
      q => q.method === 'POST' && q.path.includes('/statuses/'),
    );
    expect(posts.slice(-2).map(q => q.status)).toEqual([403, 201]);
  });

  it('keeps runs of an unreachable cluster for later and fails a deleted run', async () => {
    const name = `orders-gone-${sfx}`;
    const release = tekton.holdRuns({ name });
    await engineRun(name, `gone-${sfx}`, 'Pending');
    const github = githubClients(gh);
    const down = reporter(github, undefined, async () => {
      throw new Error('connect ECONNREFUSED');
    });
    expect(await down.runOnce()).toMatchObject({ changed: 0, reported: 0 });

    kube.delete({
      apiVersion: 'tekton.dev/v1',
      kind: 'PipelineRun',
      metadata: { name, namespace: 'payments' },
    });
    await reporter(github).runOnce();
    expect(statuses(`pipeline-portal/gone-${sfx}`)).toEqual([
      expect.objectContaining({
        state: 'failure',
        description: `gone-${sfx} failed: the PipelineRun was deleted before it ended`,
      }),
    ]);
    release();
  });
});

describe('status reporting schedule', () => {
  it('runs as one global task, every 10 seconds by default', async () => {
    expect(readReportingSettings(new ConfigReader({}))).toEqual({
      intervalSeconds: 10,
      batchSize: 200,
    });
    const scheduler = mockServices.scheduler.mock();
    await scheduleStatusReporting({
      scheduler,
      config: new ConfigReader({ app: { baseUrl: BASE } }),
      logger: mockServices.logger.mock(),
      runs: {} as any,
      github: {} as any,
      customObjects: async () => {
        throw new Error('not used');
      },
    });
    expect(scheduler.scheduleTask).toHaveBeenCalledWith(
      expect.objectContaining({
        id: 'spotguides-status-reporting',
        scope: 'global',
        frequency: { seconds: 10 },
      }),
    );
    expect(() =>
      readReportingSettings(
        new ConfigReader({
          pipelinePortal: {
            spotguides: { reporting: { intervalSeconds: -1 } },
          },
        }),
      ),
    ).toThrow(
      'pipelinePortal.spotguides.reporting.intervalSeconds must be a positive integer, got -1',
    );
  });
});
