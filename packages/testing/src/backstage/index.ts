export {
  pluginActorAuthServiceFactory,
  userInfoServiceFactory,
} from './services';
