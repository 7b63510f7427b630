/**
 * Events backend module: GitHub deliveries at the events endpoint must carry
 * a valid signature; with no webhook secret configured every one is refused.
 *
 * @packageDocumentation
 */
export { eventsModuleSpotguidesGithubSignature as default } from './module';
export { createFailClosedGithubValidator } from './validator';
export {
  DEFAULT_LOCAL_TOPICS,
  TopicSplitEventsService,
  eventsServiceFactoryWithLocalTopics,
} from './localTopics';
