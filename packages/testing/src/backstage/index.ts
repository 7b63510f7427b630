export { documentedRoutes, servedRoutes } from './routes';
export {
  pluginActorAuthServiceFactory,
  userInfoServiceFactory,
} from './services';
