import type { Config } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import type { RequestValidator } from '@backstage/plugin-events-node';
import { verify } from '@octokit/webhooks-methods';

/** Every webhook secret the portal accepts GitHub deliveries with. */
export function webhookSecrets(config: Config): string[] {
  const secrets = new Set<string>();
  const generic = config.getOptionalString(
    'events.modules.github.webhookSecret',
  );
  if (generic) secrets.add(generic);
  for (const github of ScmIntegrations.fromConfig(config).github.list()) {
    for (const app of github.config.apps ?? []) {
      if (app.webhookSecret) secrets.add(app.webhookSecret);
    }
  }
  return [...secrets];
}

/**
 * Verifies `X-Hub-Signature-256` (HMAC-SHA256, compared in constant time by
 * `@octokit/webhooks-methods`) against the configured secrets. Unlike the
 * upstream module, which registers no validator when no secret is set (and
 * so accepts anything), this one then refuses every delivery.
 */
export function createFailClosedGithubValidator(
  secrets: string[],
): RequestValidator {
  return async (request, context) => {
    if (secrets.length === 0) {
      context.reject({
        status: 401,
        payload: {
          message:
            'no GitHub webhook secret is configured (events.modules.github.webhookSecret); deliveries are refused',
        },
      });
      return;
    }
    const header = request.headers['x-hub-signature-256'];
    const signature = Array.isArray(header) ? header[0] : header;
    if (signature) {
      const body = request.raw.body.toString(
        request.raw.encoding as BufferEncoding,
      );
      for (const secret of secrets) {
        if (await verify(secret, body, signature).catch(() => false)) return;
      }
    }
    context.reject({
      status: 403,
      payload: {
        message: signature
          ? 'invalid X-Hub-Signature-256'
          : 'missing X-Hub-Signature-256',
      },
    });
  };
}
