import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { NotAllowedError, ResponseError } from '@backstage/errors';
import { ScmIntegrations } from '@backstage/integration';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { JsonObject } from '@backstage/types';
import type { SpotguidesApi } from '@pipeline-portal/plugin-spotguides-common';
import yaml from 'yaml';
import { createRepositoryBindAction } from './repositoryBind';
import { examples } from './repositoryBind.examples';

const integrations = ScmIntegrations.fromConfig(new ConfigReader({}));
const ann = mockCredentials.user('user:default/ann');

function setup(bindRepository: jest.Mock) {
  const client = { bindRepository } as unknown as SpotguidesApi;
  const action = createRepositoryBindAction({
    auth: mockServices.auth({ pluginId: 'scaffolder' }),
    discovery: mockServices.discovery(),
    integrations,
    client,
  });
  const run = async (input: JsonObject, isDryRun = false) => {
    const ctx = {
      ...createMockActionContext({ input }),
      isDryRun,
      getInitiatorCredentials: async () => ann,
    };
    await action.handler(ctx as any);
    return ctx;
  };
  return { run };
}

describe('spotguides:repository:bind', () => {
  it('binds as the person running the template, with the run target, for each example', async () => {
    const bindRepository = jest.fn(
      async (repository: string, req: any, _options: { token: string }) => ({
        repository: repository.toLowerCase(),
        entityRef: req.entityRef,
        owner: req.owner,
        boundBy: 'user:default/ann',
        boundAt: '2026-12-07T10:00:00.000Z',
      }),
    );
    const { run } = setup(bindRepository);
    for (const example of examples) {
      const [step] = yaml.parse(example.example).steps;
      const ctx = await run(step.input);
      expect(bindRepository).toHaveBeenLastCalledWith(
        'payments/orders',
        {
          entityRef: 'component:default/orders',
          owner: 'group:default/payments',
          target: { cluster: 'runtime', namespace: 'payments' },
        },
        { token: expect.any(String) },
      );
      // The token speaks for the initiator, not for the scaffolder.
      expect(bindRepository.mock.lastCall![2].token).toBe(
        mockCredentials.service.token({
          onBehalfOf: ann,
          targetPluginId: 'spotguides',
        }),
      );
      expect(ctx.output).toHaveBeenCalledWith('repository', 'payments/orders');
    }
  });

  it("passes the portal's refusal on as the matching error", async () => {
    const refusal = await ResponseError.fromResponse(
      new Response(
        JSON.stringify({
          error: {
            name: 'NotAllowedError',
            message:
              'only members of group:default/payments may bind a repository for it',
          },
          response: { statusCode: 403 },
        }),
        { status: 403, headers: { 'content-type': 'application/json' } },
      ) as any,
    );
    const { run } = setup(jest.fn().mockRejectedValue(refusal));
    await expect(
      run({
        repoUrl: 'github.com?owner=payments&repo=orders',
        entityRef: 'component:default/orders',
        owner: 'group:default/payments',
      }),
    ).rejects.toThrow(
      new NotAllowedError(
        'Binding payments/orders failed: only members of group:default/payments may bind a repository for it',
      ),
    );
  });

  it('refuses a cluster without a namespace, and binds nothing on a dry run', async () => {
    const bindRepository = jest.fn();
    const { run } = setup(bindRepository);
    await expect(
      run({
        repoUrl: 'github.com?owner=payments&repo=orders',
        entityRef: 'component:default/orders',
        owner: 'group:default/payments',
        cluster: 'runtime',
      }),
    ).rejects.toThrow('cluster and namespace: give both');
    const dry = await run(
      {
        repoUrl: 'github.com?owner=payments&repo=orders',
        entityRef: 'component:default/orders',
        owner: 'group:default/payments',
      },
      true,
    );
    expect(bindRepository).not.toHaveBeenCalled();
    expect(dry.output).toHaveBeenCalledWith('repository', 'payments/orders');
  });
});
