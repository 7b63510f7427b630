import {
  coreServices,
  createBackendPlugin,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import catalogModuleScaffolderEntityModel from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import eventsPlugin from '@backstage/plugin-events-backend';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import scaffolderModuleGithub from '@backstage/plugin-scaffolder-backend-module-github';
import scaffolderModuleSpotguides, {
  DEFAULT_WEBHOOK_EVENTS,
} from '@pipeline-portal/plugin-scaffolder-backend-module-spotguides';
// The binding step needs the real plugin behind it, as in the portal.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import spotguidesPlugin from '@pipeline-portal/plugin-spotguides-backend';
import {
  GitHubDouble,
  startGitHub,
  TaskEventReads,
  userInfoServiceFactory,
} from '@pipeline-portal/testing';
import express from 'express';
import { Knex } from 'knex';
import path from 'node:path';
import request from 'supertest';
import { parse } from 'yaml';
import { startForwarder } from './forwarder';
import { Spotguide, SPOTGUIDES, TEMPLATES_DIR } from './render';

jest.setTimeout(180_000);

/*
 * The GitHub events module's default export loads its two modules with
 * import(), which Jest runs only with --experimental-vm-modules; the suite runs
 * without it, so the signature-checking webhook module is required by path.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const eventsModuleGithubWebhook = require(path.join(
  path.dirname(
    require.resolve('@backstage/plugin-events-backend-module-github'),
  ),
  'service/eventsModuleGithubWebhook.cjs.js',
)).default;

const SECRET = 'portal-webhook-secret-0123456789';
const bob = mockCredentials.user.header('user:default/bob');
const delay = (ms: number) => new Promise(r => setTimeout(r, ms));

/** The form's answers, as the Create page sends them. */
const ANSWERS: Record<Spotguide, Record<string, unknown>> = {
  'nodejs-service': { framework: 'express' },
  'spring-boot-service': {
    javaPackage: 'com.payments.ledger',
    javaVersion: '17',
    flavor: 'webflux',
  },
  'go-service': { goVersion: '1.23' },
  'spark-job': {
    javaPackage: 'com.payments.reports',
    sparkVersion: '3.5.4',
    schedule: '30 2 * * *',
  },
};

/** Files to find in each published repository beside the shared ones. */
const APP_FILE: Record<Spotguide, string> = {
  'nodejs-service': 'src/app.ts',
  'spring-boot-service':
    'src/main/java/com/payments/ledger/HelloController.java',
  'go-service': 'handler.go',
  'spark-job': 'src/main/java/com/payments/reports/WordCountJob.java',
};

/**
 * The clusters plugin's team namespaces route, as the spotguides plugin asks
 * it when a spotguide binds its repository: `payments` on `payments-prod`
 * is the payments team's namespace; nothing else is a team namespace.
 */
const clustersStandIn = createBackendPlugin({
  pluginId: 'pipeline-clusters',
  register(env) {
    env.registerInit({
      deps: {
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
      },
      async init({ httpRouter, httpAuth }) {
        const router = express.Router();
        router.get('/clusters/:name/namespaces', async (req, res) => {
          await httpAuth.credentials(req, { allow: ['user', 'service'] });
          if (req.params.name !== 'payments-prod') {
            res.status(404).json({
              error: { name: 'NotFoundError', message: 'no such cluster' },
            });
            return;
          }
          res.json({
            items: [
              {
                name: 'payments',
                owner: 'group:default/payments',
                team: 'payments',
                phase: 'Active',
              },
            ],
          });
        });
        httpRouter.use(router);
      },
    });
  },
});

/** Each plugin its own database of the engine under test, as in production. */
function perPluginDatabases(init: () => Promise<Knex>, reads: TaskEventReads) {
  const clients = new Map<string, Promise<Knex>>();
  return createServiceFactory({
    service: coreServices.database,
    deps: { pluginMetadata: coreServices.pluginMetadata },
    factory: async ({ pluginMetadata }) => {
      const id = pluginMetadata.getId();
      if (!clients.has(id))
        clients.set(
          id,
          init().then(k => reads.watch(k)),
        );
      return { getClient: () => clients.get(id)!, migrations: { skip: false } };
    },
  });
}

/*
 * Every spotguide through a real scaffolder task: the Create page's answers
 * go to /api/scaffolder/v2/tasks; the template renders, creates the repository
 * on the GitHub double, registers the webhook, pushes over git smart HTTP and
 * registers the component. The webhook points at the portal's own events
 * endpoint (Backstage's events backend with its GitHub module), so the ping
 * and the first push are checked against the configured secret.
 */
describe('every spotguide scaffolded through the scaffolder', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    let gh: GitHubDouble;
    let backend: TestBackend;
    const taskEventReads = new TaskEventReads();
    let forwarder: Awaited<ReturnType<typeof startForwarder>>;
    let webhookUrl: string;
    const suffix = databaseId === 'SQLITE_3' ? 'sq' : 'pg';

    beforeAll(async () => {
      gh = await startGitHub({
        orgs: ['payments'],
        autoDeliverPushEvents: true,
      });
      forwarder = await startForwarder();
      webhookUrl = `http://127.0.0.1:${forwarder.port}/api/events/http/github`;
      backend = await startTestBackend({
        features: [
          mockServices.rootConfig.factory({
            data: {
              app: { baseUrl: 'http://localhost:3000' },
              backend: { baseUrl: 'http://localhost:7007' },
              integrations: {
                github: [
                  { host: gh.host, apiBaseUrl: gh.url, token: gh.token },
                ],
              },
              events: {
                http: { topics: ['github'] },
                modules: { github: { webhookSecret: SECRET } },
              },
              pipelinePortal: { spotguides: { webhookUrl } },
              catalog: {
                rules: [{ allow: ['Template', 'Component', 'Location'] }],
                locations: SPOTGUIDES.map(s => ({
                  type: 'file',
                  target: path.join(TEMPLATES_DIR, s, 'template.yaml'),
                })),
              },
            },
          }),
          perPluginDatabases(() => databases.init(databaseId), taskEventReads),
          catalogPlugin,
          catalogModuleScaffolderEntityModel,
          scaffolderPlugin,
          scaffolderModuleGithub,
          scaffolderModuleSpotguides,
          eventsPlugin,
          eventsModuleGithubWebhook,
          spotguidesPlugin,
          clustersStandIn,
          userInfoServiceFactory({
            'user:default/bob': ['user:default/bob', 'group:default/payments'],
          }),
        ],
      });
      forwarder.forwardTo((backend.server.address() as { port: number }).port);
      // The templates reach the catalog from catalog.locations.
      for (const end = Date.now() + 60_000; ; await delay(200)) {
        const res = await request(backend.server)
          .get('/api/catalog/entities')
          .query({ filter: 'kind=template' })
          .set('Authorization', bob);
        if (res.status === 200 && res.body.length === SPOTGUIDES.length) break;
        if (Date.now() > end) throw new Error('the templates never arrived');
      }
    });
    afterAll(async () => {
      await backend?.stop();
      await taskEventReads.settled();
      await forwarder?.close();
      await gh?.close();
    });

    /** Runs a task to its end; fails with the task's log unless it completed. */
    async function runTask(
      templateRef: string,
      values: Record<string, unknown>,
    ) {
      const task = await request(backend.server)
        .post('/api/scaffolder/v2/tasks')
        .set('Authorization', bob)
        .send({ templateRef, values });
      expect(task.status).toBe(201);
      let status = 'open';
      for (const end = Date.now() + 120_000; ; await delay(100)) {
        const res = await request(backend.server)
          .get(`/api/scaffolder/v2/tasks/${task.body.id}`)
          .set('Authorization', bob);
        status = res.body.status;
        if (['completed', 'failed', 'cancelled'].includes(status)) break;
        if (Date.now() > end) break;
      }
      const events = await request(backend.server)
        .get(`/api/scaffolder/v2/tasks/${task.body.id}/events`)
        .set('Authorization', bob);
      const log = (events.body as Array<{ body: { message?: string } }>)
        .map(e => e.body.message ?? '')
        .join('\n');
      if (status !== 'completed') throw new Error(`task ${status}:\n${log}`);
      return log;
    }

    it.each(SPOTGUIDES.map(s => [s]))(
      'scaffolds %s into GitHub with its files, the portal webhook and the catalog entity',
      async spotguide => {
        const name = `${spotguide.split('-')[0]}-${suffix}`;
        const log = await runTask(`template:default/${spotguide}`, {
          name,
          description: `The ${spotguide} spotguide`,
          owner: 'group:default/payments',
          cluster: 'resource:default/payments-prod',
          namespace: 'payments',
          createNamespace: false,
          repoUrl: `${gh.host}?owner=payments&repo=${name}`,
          ...ANSWERS[spotguide],
        });
        expect(log).not.toContain(SECRET);

        // The repository holds the rendered skeleton, pushed over smart HTTP.
        for (const file of [
          APP_FILE[spotguide],
          'Dockerfile',
          'chart/Chart.yaml',
          '.tekton/ci.yaml',
          '.tekton/build.yaml',
          '.tekton/cd.yaml',
        ]) {
          expect({
            file,
            found: !!(await gh.readFile('payments', name, file)),
          }).toEqual({
            file,
            found: true,
          });
        }
        const build = parse(
          (await gh.readFile('payments', name, '.tekton/build.yaml'))!,
        );
        expect(build.metadata.generateName).toBe(`${name}-build-`);
        const pushes = gh.requests.filter(
          r =>
            r.method === 'POST' &&
            r.path === `/payments/${name}.git/git-receive-pack`,
        );
        expect(pushes).toHaveLength(1);

        // One webhook to the portal, signed with the configured secret.
        const hooks = gh.repo('payments', name)!.hooks;
        expect(hooks).toHaveLength(1);
        expect(hooks[0]).toMatchObject({
          active: true,
          events: DEFAULT_WEBHOOK_EVENTS,
          config: { url: webhookUrl, content_type: 'json', secret: SECRET },
        });
        // The hook existed before the push: the portal got the ping and the
        // first push, and Backstage's events endpoint accepted their signature.
        await gh.webhooksIdle();
        const delivered = gh.deliveries.filter(d => d.hookId === hooks[0].id);
        expect(delivered.map(d => [d.event, d.status])).toEqual([
          ['ping', 202],
          ['push', 202],
        ]);
        expect(JSON.parse(delivered[1].body)).toMatchObject({
          ref: 'refs/heads/main',
          after: await gh.headSha('payments', name),
        });

        // The component is in the catalog with the annotations from the answers.
        // The catalog processes the registered location on its own loop.
        let entity: request.Response;
        for (const end = Date.now() + 60_000; ; await delay(200)) {
          entity = await request(backend.server)
            .get(`/api/catalog/entities/by-name/component/default/${name}`)
            .set('Authorization', bob);
          if (entity.status === 200 || Date.now() > end) break;
        }
        expect(entity.status).toBe(200);
        expect(entity.body).toMatchObject({
          metadata: {
            annotations: {
              'github.com/project-slug': `payments/${name}`,
              'backstage.io/kubernetes-id': name,
              'backstage.io/kubernetes-namespace': 'payments',
              'pipeline-portal.io/runtime-cluster': 'payments-prod',
              'pipeline-portal.io/namespace': 'payments',
              'pipeline-portal.io/spotguide': spotguide,
              'tekton.dev/cicd': 'true',
            },
          },
          spec: { owner: 'group:default/payments' },
        });

        // The repository was bound to the component for its owner, by bob.
        const binding = await request(backend.server)
          .get(`/api/spotguides/repositories/payments/${name}/binding`)
          .set('Authorization', bob);
        expect(binding.status).toBe(200);
        expect(binding.body).toMatchObject({
          repository: `payments/${name}`,
          entityRef: `component:default/${name}`,
          owner: 'group:default/payments',
          boundBy: 'user:default/bob',
        });
      },
    );

    it.each([
      [
        'an owner the person does not belong to',
        { owner: 'group:default/marketing' },
      ],
      [
        "a namespace that is not the owner's team namespace",
        { namespace: 'kube-system' },
      ],
    ])(
      'refuses %s on the server before any repository exists',
      async (_what, answers) => {
        const name = `refused-${suffix}-${'owner' in answers ? 'owner' : 'ns'}`;
        await expect(
          runTask('template:default/nodejs-service', {
            name,
            owner: 'group:default/payments',
            cluster: 'resource:default/payments-prod',
            namespace: 'payments',
            createNamespace: false,
            repoUrl: `${gh.host}?owner=payments&repo=${name}`,
            ...ANSWERS['nodejs-service'],
            ...answers,
          }),
        ).rejects.toThrow(/task failed:[\s\S]*Binding payments\/refused/);
        expect(gh.repo('payments', name)).toBeUndefined();
      },
    );
  });
});
