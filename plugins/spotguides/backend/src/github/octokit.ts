import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import {
  DefaultGithubCredentialsProvider,
  ScmIntegrations,
} from '@backstage/integration';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import { isNetworkError, TransientError } from '../engine/errors';
import type { TriggerMetrics } from '../metrics/TriggerMetrics';

// Throttling and retries add options, not methods: the client is an Octokit.
const PortalOctokit: typeof Octokit = Octokit.plugin(throttling, retry);
export type GitHubClient = Octokit;
type Options = NonNullable<ConstructorParameters<typeof Octokit>[0]>;

/** Longest wait the client sits out inline before giving the delivery back. */
const INLINE_WAIT_SECONDS = 2;

/**
 * Octokit per GitHub host with the integration's credentials (token or
 * GitHub App), throttled (writes spaced, `retry-after` honoured) and with
 * retries of 5xx. A longer secondary or primary limit is not waited out in
 * memory: the call fails and the caller re-queues the delivery.
 */
export class GitHubClients {
  readonly integrations: ScmIntegrations;
  private readonly credentials: DefaultGithubCredentialsProvider;
  private readonly clients = new Map<string, GitHubClient>();

  constructor(
    config: Config,
    private readonly logger: LoggerService,
    private readonly metrics?: TriggerMetrics,
  ) {
    this.integrations = ScmIntegrations.fromConfig(config);
    this.credentials = DefaultGithubCredentialsProvider.fromIntegrations(
      this.integrations,
    );
  }

  /**
   * A repository's web URL when only `owner/name` is known: on the first
   * configured GitHub host other than github.com, else on github.com.
   */
  webUrl(repository: string): string {
    const hosts = this.integrations.github.list().map(i => i.config.host);
    const host = hosts.find(h => h !== 'github.com') ?? 'github.com';
    return `https://${host}/${repository}`;
  }

  /** The client for a repository's web URL (`https://github.com/acme/shop`). */
  async forRepository(htmlUrl: string): Promise<GitHubClient> {
    const integration = this.integrations.github.byUrl(htmlUrl);
    if (!integration) {
      throw new Error(`no GitHub integration is configured for ${htmlUrl}`);
    }
    const { token } = await this.credentials.getCredentials({ url: htmlUrl });
    const key = `${integration.config.host}\n${token ?? ''}`;
    let client = this.clients.get(key);
    if (!client) {
      const options = {
        baseUrl: integration.config.apiBaseUrl,
        auth: token,
        userAgent: 'pipeline-portal-spotguides',
        log: {
          debug: () => {},
          info: () => {},
          warn: (m: string) => this.logger.warn(m),
          error: (m: string) => this.logger.error(m),
        },
        request: { retries: 2 },
        throttle: {
          id: integration.config.host,
          onRateLimit: (
            after: number,
            _o: unknown,
            _k: unknown,
            count: number,
          ) => count < 1 && after <= INLINE_WAIT_SECONDS,
          onSecondaryRateLimit: (
            after: number,
            _o: unknown,
            _k: unknown,
            count: number,
          ) => count < 1 && after <= INLINE_WAIT_SECONDS,
        },
      };
      const metrics = this.metrics;
      if (metrics) {
        const limits = options.throttle;
        options.throttle = {
          ...limits,
          onRateLimit: (...args: [number, unknown, unknown, number]) => {
            metrics.rateLimited('primary');
            return limits.onRateLimit(...args);
          },
          onSecondaryRateLimit: (
            ...args: [number, unknown, unknown, number]
          ) => {
            metrics.rateLimited('secondary');
            return limits.onSecondaryRateLimit(...args);
          },
        };
      }
      client = new PortalOctokit(options as Options);
      if (metrics) {
        client.hook.after('request', response => {
          metrics.githubRequest(response.status);
        });
        client.hook.error('request', error => {
          metrics.githubRequest((error as { status?: number }).status ?? 0);
          throw error;
        });
      }
      this.clients.set(key, client);
    }
    return client;
  }
}

/**
 * Turns what GitHub answered into a TransientError when another attempt
 * later can succeed (rate limits, 5xx, no connection); other errors pass.
 */
export function classifyGitHubError(error: unknown, what: string): unknown {
  const e = error as {
    status?: number;
    message?: string;
    response?: { headers?: Record<string, string | undefined> };
  };
  const headers = e.response?.headers ?? {};
  const retryAfter = Number(headers['retry-after']);
  const limited =
    (e.status === 403 || e.status === 429) &&
    (/rate limit/i.test(e.message ?? '') ||
      headers['x-ratelimit-remaining'] === '0' ||
      Number.isFinite(retryAfter));
  if (limited) {
    const reset = Number(headers['x-ratelimit-reset']);
    let retryAt: number | undefined;
    if (Number.isFinite(retryAfter)) retryAt = Date.now() + retryAfter * 1000;
    else if (Number.isFinite(reset)) retryAt = reset * 1000;
    return new TransientError(`GitHub rate limit while ${what}`, {
      retryAt,
      cause: error,
    });
  }
  if ((e.status ?? 0) >= 500 || isNetworkError(error)) {
    return new TransientError(
      `GitHub unavailable while ${what}: ${e.status ?? ''} ${
        e.message ?? ''
      }`.trim(),
      { cause: error },
    );
  }
  return error;
}
