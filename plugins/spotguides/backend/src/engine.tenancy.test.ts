import { TestDatabases } from '@backstage/backend-test-utils';
import { randomUUID } from 'node:crypto';
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
  TEAM,
  locationIn,
  teamNamespace,
} from './__testUtils__/fixtures';
import { BindingStore } from './store';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

/**
 * What a catalog author, a repository writer or a pipeline file can make the
 * engine do with the portal's credential: each case runs nothing where it
 * should not, says why on the deliveries page and on the commit, and the
 * cluster sees no write for it.
 */
describe.each(databases.eachSupportedId())(
  'trigger engine boundaries on %s',
  id => {
    let world: EngineWorld;
    let knex: Awaited<ReturnType<typeof databases.init>>;
    let bindings: BindingStore;
    const noGrace = {
      pipelinePortal: {
        spotguides: {
          trigger: { pollIntervalMs: 50, componentGraceSeconds: 0 },
        },
      },
    };

    beforeAll(async () => {
      knex = await databases.init(id);
      world = await createEngineWorld(knex);
      bindings = await BindingStore.create({ database: knex });
      world.kube.create(teamNamespace('team-b', 'group:default/team-b'));
    });
    afterEach(async () => {
      await world.stopBackend();
      await bindings.put({
        repository: REPOSITORY,
        entityRef: 'component:default/shop',
        owner: TEAM,
        boundBy: 'user:default/bob',
      });
    });
    afterAll(() => world.close());

    const decided = (guid: string) =>
      waitFor(async () => {
        const row = await knex('spotguides_deliveries')
          .where({ id: guid })
          .first();
        return row && row.state === 'done' ? row : undefined;
      }, `delivery ${guid} done`);
    const pipelineRunWrites = () =>
      world.kube.requests.list(
        r => r.method === 'POST' && r.path.endsWith('/pipelineruns'),
      ).length;
    const statusesAt = (sha: string) =>
      world.gh.repo(OWNER, REPO)!.statuses.filter(s => s.sha === sha);
    /** A push to the default branch, sent and decided. */
    async function push() {
      const sha = await world.gh.commitFile(OWNER, REPO, {
        path: 'src/index.ts',
        content: `export const v = '${randomUUID()}';\n`,
      });
      const sent = await world.send(
        'push',
        await world.gh.webhooks.push(OWNER, REPO),
      );
      return { sha, row: await decided(sent.guid) };
    }

    it.each([
      ['kube-system', 'not a team namespace the portal created'],
      ['team-b', 'is not a team namespace of group:default/team-a'],
      ['nowhere', 'not a team namespace the portal created'],
    ])(
      'refuses to run where an annotation points (%s), with a failure status and no write to the cluster',
      async (namespace, why) => {
        await world.start({
          entities: [
            world.component({ 'pipeline-portal.io/namespace': namespace }),
          ],
        });
        const writes = pipelineRunWrites();
        const { sha, row } = await push();
        expect(row.decision).toBe('refused');
        expect(row.reason).toContain(why);
        expect(pipelineRunWrites()).toBe(writes);
        const status = await waitFor(
          async () => statusesAt(sha).find(s => s.state === 'failure'),
          'a failure status',
        );
        expect(status).toMatchObject({ context: 'pipeline-portal/build' });
        expect(status!.description).toContain(why);
      },
    );

    it('runs for the bound component whatever else claims the repository', async () => {
      const decoy = {
        ...world.component({
          'backstage.io/managed-by-location': locationIn(
            world.gh.host,
            'mallory/decoy',
          ),
          'pipeline-portal.io/namespace': 'team-b',
        }),
        metadata: {
          name: 'aaa-decoy',
          namespace: 'default',
          annotations: {
            'github.com/project-slug': REPOSITORY,
            'backstage.io/managed-by-location': locationIn(
              world.gh.host,
              'mallory/decoy',
            ),
            'pipeline-portal.io/runtime-cluster': 'dev',
            'pipeline-portal.io/namespace': 'team-b',
          },
        },
        spec: {
          type: 'service',
          lifecycle: 'production',
          owner: 'group:default/team-b',
        },
      };
      await world.start({ entities: [decoy, world.component()] });
      const { row } = await push();
      expect(row.decision).toBe('ran');
      expect(JSON.parse(row.runs)[0]).toMatchObject({ namespace: NAMESPACE });
    });

    it('runs nothing for a repository that is not bound, however it is claimed, and says which components claim it', async () => {
      await bindings.delete(REPOSITORY);
      await world.start({ entities: [world.component()], config: noGrace });
      const writes = pipelineRunWrites();
      const { sha, row } = await push();
      expect(row.decision).toBe('refused');
      expect(row.reason).toBe(
        `${REPOSITORY} is not bound to a component (claimed by component:default/shop): an owner binds it on the component's page`,
      );
      expect(pipelineRunWrites()).toBe(writes);
      await waitFor(
        async () => statusesAt(sha).find(s => s.context === 'pipeline-portal'),
        'the refusal on the commit',
      );
    });

    it('refuses a bound component registered outside the repository, or whose owner changed since it was bound', async () => {
      await world.start({
        entities: [
          world.component({
            'backstage.io/managed-by-location': locationIn(
              world.gh.host,
              'mallory/shop',
            ),
          }),
        ],
      });
      const elsewhere = await push();
      expect(elsewhere.row.decision).toBe('refused');
      expect(elsewhere.row.reason).toContain(
        'not from a file in portal-org/shop',
      );
      await world.stopBackend();

      const moved = world.component();
      moved.spec = { ...moved.spec, owner: 'group:default/team-b' };
      await world.start({
        entities: [
          {
            ...moved,
            metadata: {
              ...moved.metadata,
              annotations: {
                ...moved.metadata.annotations,
                'pipeline-portal.io/namespace': 'team-b',
              },
            },
          },
        ],
      });
      const { row } = await push();
      expect(row.decision).toBe('refused');
      expect(row.reason).toContain(
        'is owned by group:default/team-b but the repository was bound for group:default/team-a',
      );
    });

    it('refuses a pipeline file that would leave the namespace, and runs the others', async () => {
      await world.start();
      const evil = pipelineFile('evil', 'push:\n  branches: [main]').replace(
        'spec:\n',
        [
          'spec:',
          '  taskRunTemplate:',
          '    serviceAccountName: default',
          '    podTemplate:',
          '      hostNetwork: true',
          '',
        ].join('\n'),
      );
      await world.gh.commitFile(OWNER, REPO, {
        path: '.tekton/evil.yaml',
        content: evil,
      });
      const { sha, row } = await push();
      expect(row.decision).toBe('ran');
      const pipelines = JSON.parse(row.pipelines);
      const refused = pipelines.find(
        (p: any) => p.file === '.tekton/evil.yaml',
      );
      expect(refused.wouldRun).toBe(false);
      expect(refused.error).toContain(
        'spec.taskRunTemplate.podTemplate.hostNetwork',
      );
      expect(refused.error).toContain(
        'spec.taskRunTemplate.serviceAccountName',
      );
      expect(JSON.parse(row.runs).map((r: any) => r.pipeline)).toEqual([
        'build',
      ]);
      const created = world.kube
        .list('tekton.dev/v1', 'PipelineRun', { namespace: NAMESPACE })
        .filter(
          r => r.metadata?.annotations?.['pipeline-portal.io/sha'] === sha,
        );
      expect(created).toHaveLength(1);
      // Every run the portal creates uses the namespace's pipeline account.
      expect((created[0] as any).spec.taskRunTemplate.serviceAccountName).toBe(
        'pipeline',
      );
      await waitFor(
        async () =>
          statusesAt(sha).find(
            s => s.context === 'pipeline-portal/evil' && s.state === 'failure',
          ),
        'the refused file on its own status',
      );
      await world.gh.commitFile(OWNER, REPO, {
        path: '.tekton/evil.yaml',
        content: pipelineFile('evil', 'push:\n  branches: [never]'),
      });
    });
  },
);
