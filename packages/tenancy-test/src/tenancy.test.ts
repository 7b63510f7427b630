/*
 * The tenancy boundary (README, "Tenancy: who is trusted with what") as a
 * test: one backend with every plugin of the portal and the real permission
 * backend and policy; every operation of the three OpenAPI documents, the
 * Kubernetes plugin's routes the portal relies on, and every scaffolder
 * action of ours, each for an owner, another team's member, an admin, an
 * anonymous caller and an unrelated plugin. The rows are in
 * `__testUtils__/routes/` and `__testUtils__/actions.ts`.
 */
import { TestDatabases } from '@backstage/backend-test-utils';
import { ACTION_ROWS } from './__testUtils__/actions';
import { startDoubles, startWorld } from './__testUtils__/backend';
import { runRow, runTask } from './__testUtils__/matrix';
import { coverageProblems } from './__testUtils__/operations';
import { parseFetchedJsonHere } from './__testUtils__/realm';
import { clustersTable } from './__testUtils__/routes/clusters';
import { integratedServicesTable } from './__testUtils__/routes/integratedServices';
import { kubernetesTable } from './__testUtils__/routes/kubernetes';
import { spotguidesTable } from './__testUtils__/routes/spotguides';
import { ORG, seed, templateName, templatesFor } from './__testUtils__/seed';
import { World } from './__testUtils__/types';

jest.setTimeout(60_000);

const TABLES = [
  clustersTable,
  integratedServicesTable,
  spotguidesTable,
  kubernetesTable,
];

/** The scaffolder actions this portal adds, by id prefix. */
const OURS = /^(pipeline|integrated-service|spotguides):/;

// Created outside the describe: its clean-up runs after the backend stopped.
const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

describe('the tenancy boundary', () => {
  let w: World & { stop(): Promise<void> };
  let restoreFetch = () => {};

  beforeAll(async () => {
    restoreFetch = parseFetchedJsonHere();
    const doubles = await startDoubles();
    w = await startWorld({
      doubles,
      newDatabase: () => databases.init('SQLITE_3'),
      org: ORG,
      templates: templatesFor(ACTION_ROWS, doubles),
    });
    await seed(w, ACTION_ROWS.length);
  }, 120_000);

  afterAll(async () => {
    await w?.stop();
    restoreFetch();
  }, 60_000);

  it('has a row for every operation of the OpenAPI documents, and an operation for every row', () => {
    expect(TABLES.flatMap(coverageProblems)).toEqual([]);
  });

  describe.each(TABLES.map(t => [t.pluginId, t] as const))(
    '%s routes',
    (pluginId, table) => {
      it.each(table.rows.map(row => [row.route, row] as const))(
        '%s',
        async (_route, row) => {
          await expect(runRow(w, pluginId, row)).resolves.toBeUndefined();
        },
      );
    },
  );

  describe('scaffolder actions', () => {
    it('has a row for every action of ours the scaffolder offers, and an action for every row', async () => {
      const res = await w.asOwner(
        { method: 'GET', path: '/api/scaffolder/v2/actions' },
        200,
      );
      const offered = (res.body as Array<{ id: string }>)
        .map(a => a.id)
        .filter(id => OURS.test(id))
        .sort();
      expect(offered).toEqual(ACTION_ROWS.map(r => r.id).sort());
    });

    it('refuses a task without a token', async () => {
      const res = await w.send(
        {
          method: 'POST',
          path: '/api/scaffolder/v2/tasks',
          body: {
            templateRef: `template:default/${templateName(
              'pipeline:cluster:wait',
            )}`,
            values: { name: 'dev' },
          },
        },
        'anonymous',
      );
      expect(res.status).toBe(401);
    });

    it.each(ACTION_ROWS.map(row => [row.id, row] as const))(
      '%s',
      async (id, row) => {
        // Carol first: a refusal must find the owner's resources untouched.
        const other = await runTask(w, row, 'other');
        const refusal = row.other === 'completes' ? undefined : row.other;
        const status = refusal ? 'failed' : 'completed';
        if (other.status !== status) {
          throw new Error(
            `${id} as another team's member: ${other.status}, not ${status}\n${
              other.log
            }\nwrites: ${other.writes.join(', ')}`,
          );
        }
        expect({
          id,
          refusal: refusal ? refusal.test(other.log) : 'none expected',
          writes: other.writes,
        }).toEqual({
          id,
          refusal: refusal ? true : 'none expected',
          writes: [],
        });
        const owner = await runTask(w, row, 'owner');
        if (owner.status !== 'completed') {
          throw new Error(`${id} as the owner: ${owner.status}\n${owner.log}`);
        }
        await row.verify?.(w);
      },
    );
  });
});
