export {
  createWebhookCreateAction,
  DEFAULT_WEBHOOK_EVENTS,
  readWebhookSettings,
} from './webhookCreate';
export type {
  WebhookCreateActionOptions,
  WebhookSettings,
} from './webhookCreate';
export { createRepositoryBindAction } from './repositoryBind';
export type { RepositoryBindActionOptions } from './repositoryBind';
