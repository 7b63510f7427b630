import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import {
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import {
  DefaultGithubCredentialsProvider,
  ScmIntegrationRegistry,
} from '@backstage/integration';
import {
  createTemplateAction,
  parseRepoUrl,
} from '@backstage/plugin-scaffolder-node';
import { Octokit } from '@octokit/rest';
import { callApi, initiatorToken } from '@pipeline-portal/backend-kit';
import {
  SpotguidesApi,
  SpotguidesClient,
} from '@pipeline-portal/plugin-spotguides-common';
import { examples } from './webhookCreate.examples';

/** Events the portal's trigger engine acts on. */
export const DEFAULT_WEBHOOK_EVENTS = [
  'push',
  'pull_request',
  'deployment',
  'issue_comment',
];

export interface WebhookSettings {
  /** Where GitHub delivers events. */
  url: string;
  /** The secret deliveries are signed with; undefined when not configured. */
  secret?: string;
}

/** Reads the webhook URL and secret from the backend's config. */
export function readWebhookSettings(config: Config): WebhookSettings {
  const url =
    config.getOptionalString('pipelinePortal.spotguides.webhookUrl') ??
    `${config
      .getString('backend.baseUrl')
      .replace(/\/+$/, '')}/api/events/http/github`;
  return {
    url,
    secret:
      config.getOptionalString('events.modules.github.webhookSecret') ||
      undefined,
  };
}

export interface WebhookCreateActionOptions {
  integrations: ScmIntegrationRegistry;
  settings: WebhookSettings;
  auth: AuthService;
  discovery: DiscoveryService;
  /** Replaces the spotguides REST client, for tests. */
  client?: SpotguidesApi;
}

/** Turns an Octokit failure into an error that carries no request body. */
function gitHubError(e: unknown, owner: string, repo: string): Error {
  const status = (e as { status?: number }).status;
  const message = (e as { message?: string }).message ?? String(e);
  if (status === 404) {
    return new NotFoundError(
      `GitHub has no repository ${owner}/${repo} the token can administer`,
    );
  }
  if (status === 401 || status === 403) {
    return new NotAllowedError(
      `GitHub refused to manage webhooks of ${owner}/${repo}: ${message}`,
    );
  }
  if (status === 422) return new InputError(`GitHub refused: ${message}`);
  return new Error(
    `GitHub answered ${status ?? 'no status'} for ${owner}/${repo}: ${message}`,
  );
}

/**
 * `spotguides:webhook:create`: registers (or updates) the repository's webhook
 * to the portal's events endpoint, signed with the configured secret. Refuses
 * to register one without a secret, since the portal refuses unsigned events,
 * and for a person the spotguides plugin does not let manage the repository
 * (a member of the owner it is bound for, or an admin): the write to GitHub
 * is made with the portal's token.
 */
export function createWebhookCreateAction(options: WebhookCreateActionOptions) {
  const { integrations, settings } = options;
  const client =
    options.client ?? new SpotguidesClient({ discoveryApi: options.discovery });
  const credentials =
    DefaultGithubCredentialsProvider.fromIntegrations(integrations);
  return createTemplateAction({
    id: 'spotguides:webhook:create',
    description:
      "Registers the repository's webhook to the portal's events endpoint, signed with the configured secret.",
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
        events: z =>
          z
            .array(z.string().regex(/^[a-z_]+$/))
            .min(1)
            .optional()
            .describe(
              `Events to deliver, default ${DEFAULT_WEBHOOK_EVENTS.join(', ')}`,
            ),
        token: z =>
          z
            .string()
            .optional()
            .describe("A user's GitHub token; the integration's otherwise"),
      },
      output: {
        hookId: z => z.number().describe('Id of the webhook on GitHub'),
        webhookUrl: z => z.string().describe('Where GitHub delivers events'),
        created: z =>
          z.boolean().describe('False when an existing webhook was updated'),
      },
    },
    async handler(ctx) {
      const { repoUrl, token: userToken } = ctx.input;
      const events = ctx.input.events ?? DEFAULT_WEBHOOK_EVENTS;
      if (!settings.secret) {
        throw new ServiceUnavailableError(
          'No webhook secret is configured (events.modules.github.webhookSecret): the portal refuses unsigned deliveries, so no webhook was registered',
        );
      }
      const { host, owner, repo } = parseRepoUrl(repoUrl, integrations);
      if (!owner || !repo) {
        throw new InputError(
          `repoUrl ${repoUrl} names no owner and repository`,
        );
      }
      const integration = integrations.github.byHost(host);
      if (!integration) {
        throw new InputError(`No GitHub integration is configured for ${host}`);
      }
      // Asked of the server as the person running the template, before
      // anything is written to GitHub.
      const { token: portalToken } = await initiatorToken(
        options.auth,
        ctx,
        'spotguides',
      );
      const management = await callApi(
        `Checking who may manage ${owner}/${repo} failed`,
        () =>
          client.getRepositoryManagement(`${owner}/${repo}`, {
            token: portalToken,
          }),
      );
      if (!management.allowed) {
        throw new NotAllowedError(
          `You may not manage ${owner}/${repo}: ${management.reason}`,
        );
      }
      ctx.logger.info(
        `Webhook of ${owner}/${repo} to ${settings.url} for ${events.join(
          ', ',
        )}`,
      );
      if (ctx.isDryRun) {
        ctx.output('hookId', 0);
        ctx.output('webhookUrl', settings.url);
        ctx.output('created', true);
        return;
      }
      const token =
        userToken ??
        (
          await credentials.getCredentials({
            url: `https://${host}/${owner}/${repo}`,
          })
        ).token;
      const octokit = new Octokit({
        baseUrl: integration.config.apiBaseUrl,
        auth: token,
        log: ctx.logger,
      });
      const secret = settings.secret;
      const result = await ctx.checkpoint({
        key: `spotguides.webhook.${owner}.${repo}.${settings.url}`,
        fn: async () => {
          try {
            const hooks = await octokit.paginate(
              octokit.rest.repos.listWebhooks,
              {
                owner,
                repo,
                per_page: 100,
              },
            );
            const config = {
              url: settings.url,
              content_type: 'json',
              secret,
              insecure_ssl: '0',
            };
            const existing = hooks.find(h => h.config.url === settings.url);
            if (existing) {
              await octokit.rest.repos.updateWebhook({
                owner,
                repo,
                hook_id: existing.id,
                config,
                events,
                active: true,
              });
              return { hookId: existing.id, created: false };
            }
            const res = await octokit.rest.repos.createWebhook({
              owner,
              repo,
              config,
              events,
              active: true,
            });
            return { hookId: res.data.id, created: true };
          } catch (e) {
            throw gitHubError(e, owner, repo);
          }
        },
      });
      ctx.logger.info(
        `${result.created ? 'Created' : 'Updated'} webhook ${
          result.hookId
        } of ${owner}/${repo}`,
      );
      ctx.output('hookId', result.hookId);
      ctx.output('webhookUrl', settings.url);
      ctx.output('created', result.created);
    },
  });
}
