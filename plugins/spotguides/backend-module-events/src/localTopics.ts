import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  DefaultEventsService,
  EventParams,
  EventsService,
  EventsServiceSubscribeOptions,
  eventsServiceRef,
} from '@backstage/plugin-events-node';

/**
 * Topics kept in the process that received them unless configured otherwise;
 * each covers its subtopics too (`github.push`, which the GitHub module's
 * event router republishes every delivery to).
 */
export const DEFAULT_LOCAL_TOPICS = ['github'];

/** Whether a topic is one of the local ones or a subtopic of one. */
export function isLocalTopic(
  topic: string,
  localTopics: ReadonlySet<string>,
): boolean {
  for (let t = topic; ; t = t.slice(0, t.lastIndexOf('.'))) {
    if (localTopics.has(t)) return true;
    if (!t.includes('.')) return false;
  }
}

/**
 * An events service that sends some topics through the event bus (every
 * replica sees them) and keeps the others in the process that published them.
 */
export class TopicSplitEventsService implements EventsService {
  constructor(
    private readonly shared: EventsService,
    private readonly local: EventsService,
    private readonly localTopics: ReadonlySet<string>,
  ) {}

  publish(params: EventParams): Promise<void> {
    return isLocalTopic(params.topic, this.localTopics)
      ? this.local.publish(params)
      : this.shared.publish(params);
  }

  async subscribe(options: EventsServiceSubscribeOptions): Promise<void> {
    const local = options.topics.filter(t => isLocalTopic(t, this.localTopics));
    const shared = options.topics.filter(
      t => !isLocalTopic(t, this.localTopics),
    );
    if (local.length) await this.local.subscribe({ ...options, topics: local });
    if (shared.length) {
      await this.shared.subscribe({ ...options, topics: shared });
    }
  }
}

/**
 * Backstage's events service, except that GitHub deliveries (`github` and
 * `github.*`, or the topics in `pipelinePortal.events.localTopics` and their
 * subtopics) stay in the replica that received them
 * instead of also being posted to the events backend's bus. The trigger
 * engine stores each delivery in its own queue, in the shared database,
 * before the endpoint answers, so every replica's deliveries are processed
 * anyway; the bus's extra signed request per delivery cost more than all of
 * the delivery's processing and capped the endpoint near 150 deliveries/s.
 * Other topics (signals, notifications) keep the bus.
 *
 * @public
 */
export const eventsServiceFactoryWithLocalTopics = createServiceFactory({
  service: eventsServiceRef,
  deps: {
    pluginMetadata: coreServices.pluginMetadata,
    rootLogger: coreServices.rootLogger,
    discovery: coreServices.discovery,
    logger: coreServices.logger,
    lifecycle: coreServices.lifecycle,
    auth: coreServices.auth,
    config: coreServices.rootConfig,
  },
  async createRootContext({ rootLogger, config }) {
    return {
      shared: DefaultEventsService.create({ logger: rootLogger, config }),
      local: DefaultEventsService.create({
        logger: rootLogger,
        useEventBus: 'never',
      }),
      topics: new Set(
        config.getOptionalStringArray('pipelinePortal.events.localTopics') ??
          DEFAULT_LOCAL_TOPICS,
      ),
    };
  },
  async factory({ pluginMetadata, discovery, logger, lifecycle, auth }, root) {
    const pluginId = pluginMetadata.getId();
    const options = { discovery, logger, lifecycle, auth };
    return new TopicSplitEventsService(
      root.shared.forPlugin(pluginId, options),
      root.local.forPlugin(pluginId, options),
      root.topics,
    );
  },
});
