import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { signature256 } from '@pipeline-portal/testing';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import {
  createEngineWorld,
  EngineWorld,
  waitFor,
} from './__testUtils__/engineBackend';
import {
  NAMESPACE,
  OWNER,
  REPO,
  REPOSITORY,
  SECRET,
  TEKTON_FILES,
} from './__testUtils__/fixtures';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())(
  'trigger engine resilience on %s',
  id => {
    let world: EngineWorld;
    let knex: Awaited<ReturnType<typeof databases.init>>;

    beforeAll(async () => {
      knex = await databases.init(id);
      world = await createEngineWorld(knex);
    });
    afterEach(async () => {
      await world.stopBackend();
      world.gh.faults.clear();
      world.kube.faults.clear();
    });
    afterAll(() => world.close());

    const runsAt = (sha: string) =>
      world.kube
        .list('tekton.dev/v1', 'PipelineRun', { namespace: NAMESPACE })
        .filter(
          r => r.metadata?.annotations?.['pipeline-portal.io/sha'] === sha,
        );
    const stored = async () =>
      Number((await knex('spotguides_deliveries').count({ n: '*' }))[0].n);
    const decided = (guid: string) =>
      waitFor(async () => {
        const row = await knex('spotguides_deliveries')
          .where({ id: guid })
          .first();
        return row && row.state === 'done' ? row : undefined;
      }, `delivery ${guid} done`);
    /** A new commit on the default branch and its push payload. */
    const newPush = async () => {
      const sha = await world.gh.commitFile(OWNER, REPO, {
        path: 'src/index.ts',
        content: `export const v = '${randomUUID()}';\n`,
      });
      return { sha, payload: await world.gh.webhooks.push(OWNER, REPO) };
    };
    /**
     * POSTs exactly what GitHub would, with a chosen delivery id; signed with
     * the secret unless `signature` is given ('' for none).
     */
    const post = (guid: string, payload: unknown, signature?: string) => {
      const body = JSON.stringify(payload);
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': guid,
      };
      const sig = signature ?? signature256(SECRET, body);
      if (sig) headers['x-hub-signature-256'] = sig;
      return fetch(world.webhookUrl(), { method: 'POST', headers, body });
    };

    it('makes one run of the same delivery sent 50 times at once, and of 50 deliveries of one push', async () => {
      await world.start();
      const { sha, payload } = await newPush();
      const guid = randomUUID();
      const answers = await Promise.all(
        Array.from({ length: 50 }, () => post(guid, payload)),
      );
      expect(answers.map(a => a.status)).toEqual(Array(50).fill(202));
      expect((await decided(guid)).decision).toBe('ran');

      const others = Array.from({ length: 50 }, () => randomUUID());
      await Promise.all(others.map(g => post(g, payload)));
      const rows = await Promise.all(others.map(decided));
      expect(rows.every(r => r.decision === 'duplicate')).toBe(true);
      expect(runsAt(sha)).toHaveLength(1);
    });

    it('refuses a delivery with a bad or missing signature and stores nothing', async () => {
      await world.start();
      const before = await stored();
      const { payload } = await newPush();
      const wrong = await post(
        randomUUID(),
        payload,
        signature256('guess', '{}'),
      );
      expect(wrong.status).toBe(403);
      const missing = await post(randomUUID(), payload, '');
      expect(missing.status).toBe(403);
      expect(await stored()).toBe(before);
    });

    it('refuses every delivery when no webhook secret is configured', async () => {
      await world.start({ secret: null });
      const before = await stored();
      const { payload } = await newPush();
      const res = await post(randomUUID(), payload);
      expect(res.status).toBe(401);
      expect(await stored()).toBe(before);
    });

    it('delays a delivery through a GitHub secondary rate limit without losing it', async () => {
      await world.start();
      // A change to .tekton/ itself: nothing cached can answer for it.
      const sha = await world.gh.commitFile(OWNER, REPO, {
        path: '.tekton/ci.yaml',
        content: `${TEKTON_FILES['.tekton/ci.yaml']}# ${randomUUID()}\n`,
      });
      const payload = await world.gh.webhooks.push(OWNER, REPO);
      world.gh.faults.add({
        path: /\/contents\/\.tekton/,
        secondaryRateLimit: { retryAfter: 1 },
        times: 4,
      });
      const guid = randomUUID();
      await post(guid, payload);
      const row = await decided(guid);
      expect(row.decision).toBe('ran');
      expect(Number(row.attempts)).toBeGreaterThanOrEqual(2);
      expect(runsAt(sha)).toHaveLength(1);
    });

    it('delays a delivery through a Kubernetes API outage, then processes queued ones after a restart', async () => {
      await world.start();
      const outage = world.kube.faults.add({
        path: '/pipelineruns',
        status: 503,
      });
      const first = await newPush();
      const guid = randomUUID();
      await post(guid, first.payload);
      await waitFor(async () => {
        const row = await knex('spotguides_deliveries')
          .where({ id: guid })
          .first();
        return Number(row?.attempts) >= 2 ? row : undefined;
      }, 'a retried attempt');
      expect(runsAt(first.sha)).toEqual([]);

      // The portal stops with the delivery still queued, the cluster recovers.
      await world.stopBackend();
      const queued = await knex('spotguides_deliveries')
        .where({ id: guid })
        .first();
      expect(queued).toMatchObject({ state: 'queued', decision: 'pending' });
      outage.remove();

      await world.start();
      expect((await decided(guid)).decision).toBe('ran');
      expect(runsAt(first.sha)).toHaveLength(1);
      const res = await request(world.url())
        .get(`/api/spotguides/deliveries?repository=${REPOSITORY}`)
        .set('Authorization', mockCredentials.user.header());
      expect(res.body.items.find((d: any) => d.id === guid)).toMatchObject({
        decision: 'ran',
        runs: [expect.objectContaining({ pipeline: 'build' })],
      });
    });

    it('retries a push from a repository the catalog does not know yet, and runs it once the component is registered', async () => {
      // A spotguide pushes its first commit before catalog:register.
      await world.start({ entities: [] });
      const first = await newPush();
      const guid = randomUUID();
      await post(guid, first.payload);
      await waitFor(async () => {
        const row = await knex('spotguides_deliveries')
          .where({ id: guid })
          .first();
        return Number(row?.attempts) >= 2 ? row : undefined;
      }, 'a retried attempt');
      const waiting = await knex('spotguides_deliveries')
        .where({ id: guid })
        .first();
      expect(waiting).toMatchObject({ state: 'queued', decision: 'pending' });
      // Bound when the spotguide was scaffolded; registered a moment later.
      expect(waiting.reason).toContain(
        'is bound to component:default/shop, which the catalog does not hold',
      );
      expect(runsAt(first.sha)).toEqual([]);

      await world.stopBackend();
      await world.start();
      expect((await decided(guid)).decision).toBe('ran');
      expect(runsAt(first.sha)).toHaveLength(1);
    });

    it('refuses a push whose bound component never arrives in the catalog once the grace has passed, with a failure status on the commit', async () => {
      await world.start({
        entities: [],
        config: {
          pipelinePortal: {
            spotguides: {
              trigger: { pollIntervalMs: 50, componentGraceSeconds: 0 },
            },
          },
        },
      });
      const first = await newPush();
      const guid = randomUUID();
      await post(guid, first.payload);
      const row = await decided(guid);
      expect(row).toMatchObject({ decision: 'refused', attempts: 1 });
      expect(row.reason).toBe(
        `${REPOSITORY} is bound to component:default/shop, which the catalog does not hold with github.com/project-slug ${REPOSITORY}`,
      );
      expect(runsAt(first.sha)).toEqual([]);
      const status = await waitFor(
        async () =>
          world.gh.repo(OWNER, REPO)!.statuses.find(s => s.sha === first.sha),
        'the refusal on the commit',
      );
      expect(status).toMatchObject({
        context: 'pipeline-portal',
        state: 'failure',
      });
    });
  },
);
