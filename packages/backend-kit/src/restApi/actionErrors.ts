import type {
  AuthService,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  isError,
  NotAllowedError,
  NotFoundError,
  ResponseError,
} from '@backstage/errors';

/** The part of a scaffolder action's context that names who runs the template. */
export interface InitiatorContext {
  getInitiatorCredentials(): Promise<BackstageCredentials>;
}

/**
 * A token that makes a plugin's REST API see the user who runs the template,
 * so that plugin's permissions apply to them rather than to the scaffolder.
 */
export async function initiatorToken(
  auth: AuthService,
  ctx: InitiatorContext,
  targetPluginId: string,
): Promise<{ token: string }> {
  const { token } = await auth.getPluginRequestToken({
    onBehalfOf: await ctx.getInitiatorCredentials(),
    targetPluginId,
  });
  return { token };
}

/** HTTP status of a REST API error (a `ResponseError`), if it is one. */
export function responseStatus(error: unknown): number | undefined {
  return error instanceof ResponseError ? error.response.status : undefined;
}

/**
 * Turns a REST API error into the matching Backstage error carrying the API's
 * own message (the ResponseError message only says "Request failed with 400"),
 * prefixed with `what`. Anything else (an InputError of the action itself)
 * passes unchanged.
 */
export function toActionError(error: unknown, what: string): Error {
  if (!(error instanceof ResponseError)) {
    return isError(error) ? error : new Error(String(error));
  }
  const message = `${what}: ${error.body?.error?.message ?? error.message}`;
  switch (error.response.status) {
    case 400:
    case 422:
      return new InputError(message);
    case 401:
    case 403:
      return new NotAllowedError(message);
    case 404:
      return new NotFoundError(message);
    case 409:
      return new ConflictError(message);
    default:
      return new Error(message);
  }
}

/** Calls a REST API; its errors become Backstage errors prefixed with `what`. */
export async function callApi<T>(
  what: string,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toActionError(error, what);
  }
}
