export { documentedRoutes, servedRoutes } from './routes';
export {
  pluginActorAuthServiceFactory,
  userInfoServiceFactory,
} from './services';
export { recordedMetrics } from './metrics';
export type { CollectedPoints } from './metrics';
