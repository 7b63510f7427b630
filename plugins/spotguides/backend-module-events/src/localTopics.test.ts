import {
  coreServices,
  createBackendModule,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import eventsPlugin from '@backstage/plugin-events-backend';
import { GithubEventRouter } from '@backstage/plugin-events-backend-module-github';
import {
  EventParams,
  EventsService,
  eventsServiceRef,
} from '@backstage/plugin-events-node';
import { createHmac } from 'node:crypto';
import request from 'supertest';
import {
  eventsServiceFactoryWithLocalTopics,
  TopicSplitEventsService,
} from './localTopics';
import { eventsModuleSpotguidesGithubSignature } from './module';

const recording = () => {
  const published: string[] = [];
  const subscribed: string[][] = [];
  const service: EventsService = {
    async publish(p) {
      published.push(p.topic);
    },
    async subscribe(o) {
      subscribed.push(o.topics);
    },
  };
  return { service, published, subscribed };
};

describe('TopicSplitEventsService', () => {
  it('sends local topics to the local service and the rest to the shared one', async () => {
    const shared = recording();
    const local = recording();
    const split = new TopicSplitEventsService(
      shared.service,
      local.service,
      new Set(['github']),
    );
    await split.publish({ topic: 'github', eventPayload: {} });
    await split.publish({ topic: 'github.push', eventPayload: {} });
    await split.publish({ topic: 'githubx', eventPayload: {} });
    await split.publish({ topic: 'signals', eventPayload: {} });
    await split.subscribe({
      id: 's',
      topics: ['github', 'signals', 'github.push', 'other'],
      onEvent: async () => {},
    });
    await split.subscribe({
      id: 't',
      topics: ['github'],
      onEvent: async () => {},
    });
    expect(local.published).toEqual(['github', 'github.push']);
    expect(shared.published).toEqual(['githubx', 'signals']);
    expect(local.subscribed).toEqual([['github', 'github.push'], ['github']]);
    expect(shared.subscribed).toEqual([['signals', 'other']]);
  });
});

describe('eventsServiceFactoryWithLocalTopics in a backend', () => {
  const secret = 's3cret';
  const body = JSON.stringify({ zen: 'Design for failure.' });
  const signature = `sha256=${createHmac('sha256', secret)
    .update(body)
    .digest('hex')}`;

  it('delivers a GitHub event and its github.* copy to subscribers without posting them to the event bus; other topics still go there', async () => {
    const fetchSpy = jest.spyOn(globalThis, 'fetch');
    const received: EventParams[] = [];
    let events: EventsService | undefined;
    const listener = createBackendPlugin({
      pluginId: 'listener',
      register(env) {
        env.registerInit({
          deps: { events: eventsServiceRef, logger: coreServices.logger },
          async init(deps) {
            events = deps.events;
            await deps.events.subscribe({
              id: 'github-listener',
              topics: ['github', 'github.ping'],
              onEvent: async e => {
                received.push(e);
              },
            });
          },
        });
      },
    });
    // As the upstream GitHub module does: each delivery again on github.<event>.
    const githubEventRouter = createBackendModule({
      pluginId: 'events',
      moduleId: 'github-event-router',
      register(env) {
        env.registerInit({
          deps: { events: eventsServiceRef },
          async init({ events: e }) {
            await new GithubEventRouter({ events: e }).subscribe();
          },
        });
      },
    });
    const backend = await startTestBackend({
      features: [
        eventsServiceFactoryWithLocalTopics,
        eventsPlugin,
        githubEventRouter,
        eventsModuleSpotguidesGithubSignature,
        listener,
        mockServices.rootConfig.factory({
          data: { events: { modules: { github: { webhookSecret: secret } } } },
        }),
      ],
    });
    try {
      const busPosts = () =>
        fetchSpy.mock.calls.filter(
          ([url, init]) =>
            String(url).endsWith('/bus/v1/events') && init?.method === 'POST',
        ).length;
      const res = await request(backend.server)
        .post('/api/events/http/github')
        .set('content-type', 'application/json')
        .set('x-github-event', 'ping')
        .set('x-github-delivery', 'd-1')
        .set('x-hub-signature-256', signature)
        .send(body);
      expect(res.status).toBe(202);
      // The delivery and the router's copy on its event's topic, both
      // handed over before the endpoint answered.
      expect(received.map(e => e.topic).sort()).toEqual([
        'github',
        'github.ping',
      ]);
      expect(received[0].eventPayload).toEqual({
        zen: 'Design for failure.',
      });
      expect(busPosts()).toBe(0);

      await events!.publish({ topic: 'other', eventPayload: { n: 1 } });
      expect(busPosts()).toBe(1);
    } finally {
      await backend.stop();
      fetchSpy.mockRestore();
    }
  });
});
