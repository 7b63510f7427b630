export {
  callApi,
  initiatorToken,
  responseStatus,
  toActionError,
} from './actionErrors';
export type { InitiatorContext } from './actionErrors';
