import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import type { ScmIntegrationRegistry } from '@backstage/integration';
import {
  createTemplateAction,
  parseRepoUrl,
} from '@backstage/plugin-scaffolder-node';
import { callApi, initiatorToken } from '@pipeline-portal/backend-kit';
import {
  SpotguidesApi,
  SpotguidesClient,
} from '@pipeline-portal/plugin-spotguides-common';
import { examples } from './repositoryBind.examples';

export interface RepositoryBindActionOptions {
  auth: AuthService;
  integrations: ScmIntegrationRegistry;
  discovery: DiscoveryService;
  /** Replaces the REST client, for tests. */
  client?: SpotguidesApi;
}

/**
 * `spotguides:repository:bind`: binds the repository a spotguide creates to
 * the component it will register, for the owner the template names, after
 * checking (on the server, as the person running the template) that they
 * belong to that owner and that the runtime namespace is a team namespace
 * of that owner. Placed before the repository is created, so a refusal
 * leaves nothing behind.
 */
export function createRepositoryBindAction(
  options: RepositoryBindActionOptions,
) {
  const client =
    options.client ?? new SpotguidesClient({ discoveryApi: options.discovery });
  return createTemplateAction({
    id: 'spotguides:repository:bind',
    description:
      "Binds the repository to the component whose pipelines its events run, for the component's owner, after checking the runtime namespace on the server.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        repoUrl: z =>
          z
            .string()
            .describe(
              'Repository, as RepoUrlPicker gives it: github.com?owner=o&repo=r',
            ),
        entityRef: z =>
          z
            .string()
            .min(1)
            .max(255)
            .describe('The component, e.g. component:default/orders'),
        owner: z =>
          z
            .string()
            .min(1)
            .max(255)
            .describe('The owner group, e.g. group:default/payments'),
        cluster: z =>
          z
            .string()
            .min(1)
            .max(63)
            .optional()
            .describe('The runtime cluster the pipelines run on'),
        namespace: z =>
          z
            .string()
            .min(1)
            .max(63)
            .optional()
            .describe('The team namespace the pipelines run in'),
      },
      output: {
        repository: z => z.string().describe('owner/name, lower case'),
        entityRef: z => z.string().describe('The bound component'),
      },
    },
    async handler(ctx) {
      const { repoUrl, entityRef, owner, cluster, namespace } = ctx.input;
      if (!!cluster !== !!namespace) {
        throw new InputError(
          'cluster and namespace: give both (the run target) or neither',
        );
      }
      const { owner: org, repo } = parseRepoUrl(repoUrl, options.integrations);
      if (!org || !repo) {
        throw new InputError(
          `repoUrl: ${repoUrl} names no owner and repository`,
        );
      }
      const repository = `${org}/${repo}`;
      const target = cluster && namespace ? { cluster, namespace } : undefined;
      if (ctx.isDryRun) {
        ctx.logger.info(
          `Would bind ${repository} to ${entityRef} for ${owner}${
            target ? `, running in ${cluster}/${namespace}` : ''
          }`,
        );
        ctx.output('repository', repository.toLowerCase());
        ctx.output('entityRef', entityRef);
        return;
      }
      const binding = await ctx.checkpoint({
        key: `spotguides-bind-${repository.toLowerCase()}`,
        fn: async () => {
          const { token } = await initiatorToken(
            options.auth,
            ctx,
            'spotguides',
          );
          const bound = await callApi(`Binding ${repository} failed`, () =>
            client.bindRepository(
              repository,
              { entityRef, owner, ...(target && { target }) },
              { token },
            ),
          );
          return {
            repository: bound.repository,
            entityRef: bound.entityRef,
            owner: bound.owner,
          };
        },
      });
      ctx.logger.info(
        `Bound ${binding.repository} to ${binding.entityRef} for ${binding.owner}`,
      );
      ctx.output('repository', binding.repository);
      ctx.output('entityRef', binding.entityRef);
    },
  });
}
