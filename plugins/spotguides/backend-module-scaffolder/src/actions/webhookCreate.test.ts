import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import { ScmIntegrations } from '@backstage/integration';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { GitHubDouble, startGitHub } from '@pipeline-portal/testing';
import type { SpotguidesApi } from '@pipeline-portal/plugin-spotguides-common';
import yaml from 'yaml';
import {
  createWebhookCreateAction,
  DEFAULT_WEBHOOK_EVENTS,
  readWebhookSettings,
} from './webhookCreate';
import { examples } from './webhookCreate.examples';

const SECRET = 'whsec-test-0123456789';

describe('spotguides:webhook:create', () => {
  let gh: GitHubDouble;
  let integrations: ScmIntegrations;

  beforeAll(async () => {
    gh = await startGitHub({ orgs: ['payments'] });
    integrations = ScmIntegrations.fromConfig(
      new ConfigReader({
        integrations: {
          github: [{ host: gh.host, apiBaseUrl: gh.url, token: gh.token }],
        },
      }),
    );
  });
  afterAll(() => gh.close());

  const settingsFrom = (data: object) =>
    readWebhookSettings(
      new ConfigReader({
        backend: { baseUrl: 'http://portal.test:7007' },
        ...data,
      }),
    );

  /** What the spotguides plugin answers about who may manage a repository. */
  const management = jest.fn(async (_repository: string, _o?: unknown) => ({
    allowed: true,
    reason: 'a member of group:default/payments',
  }));
  beforeEach(() => management.mockClear());

  /** Runs the action with a logger whose every line is kept. */
  async function run(
    input: Record<string, unknown>,
    settings = settingsFrom({
      events: { modules: { github: { webhookSecret: SECRET } } },
    }),
  ) {
    const ctx = {
      ...createMockActionContext({ input: input as JsonObject }),
      getInitiatorCredentials: async () =>
        mockCredentials.user('user:default/bob'),
    };
    const action = createWebhookCreateAction({
      integrations,
      settings,
      auth: mockServices.auth({ pluginId: 'scaffolder' }),
      discovery: mockServices.discovery(),
      client: {
        getRepositoryManagement: management,
      } as unknown as SpotguidesApi,
    });
    const logged: string[] = [];
    for (const level of ['info', 'warn', 'error', 'debug'] as const) {
      jest
        .spyOn(ctx.logger, level)
        .mockImplementation((...args: [string, ...unknown[]]) => {
          logged.push(args[0]);
        });
    }
    await action.handler(ctx as any);
    return { ctx, logged: logged.join('\n') };
  }

  it('registers a json webhook to the events endpoint, signed with the configured secret', async () => {
    await gh.createRepo('payments', 'orders');
    const { ctx, logged } = await run({
      repoUrl: `${gh.host}?owner=payments&repo=orders`,
    });
    const hooks = gh.repo('payments', 'orders')!.hooks;
    expect(hooks).toHaveLength(1);
    expect(hooks[0]).toMatchObject({
      active: true,
      events: DEFAULT_WEBHOOK_EVENTS,
      config: {
        url: 'http://portal.test:7007/api/events/http/github',
        content_type: 'json',
        secret: SECRET,
        insecure_ssl: '0',
      },
    });
    expect(ctx.output).toHaveBeenCalledWith('hookId', hooks[0].id);
    expect(ctx.output).toHaveBeenCalledWith('created', true);
    expect(logged).toContain('payments/orders');
    expect(logged).not.toContain(SECRET);
  });

  it('updates the existing webhook instead of adding a second one', async () => {
    await gh.createRepo('payments', 'billing');
    const repoUrl = `${gh.host}?owner=payments&repo=billing`;
    await run({ repoUrl, events: ['push'] });
    const { ctx } = await run({ repoUrl, events: ['push', 'deployment'] });
    const hooks = gh.repo('payments', 'billing')!.hooks;
    expect(hooks).toHaveLength(1);
    expect(hooks[0].events).toEqual(['push', 'deployment']);
    expect(ctx.output).toHaveBeenCalledWith('created', false);
  });

  it('takes the URL from pipelinePortal.spotguides.webhookUrl when set', async () => {
    await gh.createRepo('payments', 'ledger');
    await run(
      { repoUrl: `${gh.host}?owner=payments&repo=ledger` },
      settingsFrom({
        pipelinePortal: {
          spotguides: { webhookUrl: 'https://hooks.example.com/github' },
        },
        events: { modules: { github: { webhookSecret: SECRET } } },
      }),
    );
    expect(gh.repo('payments', 'ledger')!.hooks[0].config.url).toBe(
      'https://hooks.example.com/github',
    );
  });

  it('asks the portal, as the person running the template, and writes nothing to GitHub when they may not manage the repository', async () => {
    await gh.createRepo('payments', 'theirs');
    management.mockResolvedValueOnce({
      allowed: false,
      reason:
        'payments/theirs is bound for group:default/payments: only its members or an admin may manage it',
    });
    const before = gh.requests.length;
    await expect(
      run({ repoUrl: `${gh.host}?owner=payments&repo=theirs` }),
    ).rejects.toThrow(
      'You may not manage payments/theirs: payments/theirs is bound for group:default/payments',
    );
    expect(management).toHaveBeenCalledWith('payments/theirs', {
      token: mockCredentials.service.token({
        onBehalfOf: mockCredentials.user('user:default/bob'),
        targetPluginId: 'spotguides',
      }),
    });
    expect(gh.requests.length).toBe(before);
    expect(gh.repo('payments', 'theirs')!.hooks).toEqual([]);
  });

  it('refuses to register a webhook when no secret is configured', async () => {
    await gh.createRepo('payments', 'unsigned');
    await expect(
      run(
        { repoUrl: `${gh.host}?owner=payments&repo=unsigned` },
        settingsFrom({}),
      ),
    ).rejects.toThrow(/No webhook secret is configured/);
    expect(gh.repo('payments', 'unsigned')!.hooks).toEqual([]);
  });

  it('says when the repository does not exist', async () => {
    await expect(
      run({ repoUrl: `${gh.host}?owner=payments&repo=missing` }),
    ).rejects.toThrow('GitHub has no repository payments/missing');
  });

  it('refuses a host without a GitHub integration', async () => {
    await expect(
      run({ repoUrl: 'gitlab.example.com?owner=payments&repo=orders' }),
    ).rejects.toThrow();
  });

  it.each(examples.map(e => [e.description, e.example]))(
    'runs the example: %s',
    async (_description, example) => {
      const step = yaml.parse(example).steps[0];
      const repo = `example-${Math.random().toString(36).slice(2, 8)}`;
      await gh.createRepo('payments', repo);
      await run({
        ...step.input,
        repoUrl: `${gh.host}?owner=payments&repo=${repo}`,
      });
      expect(gh.repo('payments', repo)!.hooks[0].events).toEqual(
        step.input.events ?? DEFAULT_WEBHOOK_EVENTS,
      );
    },
  );
});
