import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import eventsPlugin from '@backstage/plugin-events-backend';
import type { JsonObject } from '@backstage/types';
import { createHmac } from 'node:crypto';
import request from 'supertest';
import { eventsModuleSpotguidesGithubSignature } from './module';

const body = JSON.stringify({ zen: 'Keep it logically awesome.' });
const sign = (secret: string) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

const start = (data: JsonObject) =>
  startTestBackend({
    features: [
      eventsPlugin,
      eventsModuleSpotguidesGithubSignature,
      mockServices.rootConfig.factory({ data }),
    ],
  });

const post = (server: any, signature?: string) => {
  const req = request(server)
    .post('/api/events/http/github')
    .set('content-type', 'application/json')
    .set('x-github-event', 'ping')
    .set('x-github-delivery', 'd-1');
  return (signature ? req.set('x-hub-signature-256', signature) : req).send(
    body,
  );
};

describe('eventsModuleSpotguidesGithubSignature', () => {
  it('refuses every delivery when no webhook secret is configured', async () => {
    const backend = await start({});
    const res = await post(backend.server, sign('anything'));
    expect(res.status).toBe(401);
    expect(res.body.message).toContain('no GitHub webhook secret');
    await backend.stop();
  });

  it('refuses a missing or wrong signature and accepts a valid one', async () => {
    const backend = await start({
      events: { modules: { github: { webhookSecret: 's3cret' } } },
    });
    expect((await post(backend.server)).status).toBe(403);
    expect((await post(backend.server, sign('wrong'))).status).toBe(403);
    expect((await post(backend.server, 'sha256=zz')).status).toBe(403);
    expect((await post(backend.server, sign('s3cret'))).status).toBe(202);
    await backend.stop();
  });

  it('accepts a GitHub App webhook secret', async () => {
    const backend = await start({
      integrations: {
        github: [
          {
            host: 'github.com',
            apps: [
              {
                appId: 1,
                clientId: 'c',
                clientSecret: 'x',
                privateKey: 'k',
                webhookSecret: 'app-secret',
              },
            ],
          },
        ],
      },
    });
    expect((await post(backend.server, sign('app-secret'))).status).toBe(202);
    expect((await post(backend.server, sign('other'))).status).toBe(403);
    await backend.stop();
  });
});
