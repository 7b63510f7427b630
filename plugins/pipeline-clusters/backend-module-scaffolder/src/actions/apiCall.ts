import { AuthService } from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  isError,
  NotAllowedError,
  NotFoundError,
  ResponseError,
} from '@backstage/errors';
import { ActionContext } from '@backstage/plugin-scaffolder-node';
import type { JsonObject, JsonValue } from '@backstage/types';

/**
 * A token that makes the REST API see the user who runs the template, so the
 * plugin's permissions apply to them rather than to the scaffolder.
 */
export async function userToken(
  auth: AuthService,
  ctx: Pick<ActionContext<JsonObject>, 'getInitiatorCredentials'>,
): Promise<{ token: string }> {
  const { token } = await auth.getPluginRequestToken({
    onBehalfOf: await ctx.getInitiatorCredentials(),
    targetPluginId: 'pipeline-clusters',
  });
  return { token };
}

/** HTTP status of an API error, if it is one. */
export function statusOf(error: unknown): number | undefined {
  return error instanceof ResponseError ? error.response.status : undefined;
}

/**
 * Turns a REST API error into the matching Backstage error carrying the API's
 * own message (the ResponseError message only says "Request failed with 400").
 * Anything else (an InputError of the action itself) passes unchanged.
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

export interface ChangeOnceOptions<T extends JsonValue> {
  /** Checkpoint key: the scaffolder scopes it to the step. */
  key: string;
  /** What failed, prefixed to the API's message, e.g. `Creating cluster x failed`. */
  failure: string;
  /** The side effect, called with the user's token; its result is checkpointed. */
  call(options: { token: string }): Promise<T>;
  /** A result for an error that means the change is already done (404 on delete). */
  recover?(error: unknown): T | undefined;
  /** Removes what must not reach the task log from an error message. */
  redact?(message: string): string;
}

/**
 * Runs a change on the REST API as the user running the template, at most
 * once per task: a retried or recovered task gets the checkpointed result
 * instead of asking again. API errors become Backstage errors.
 */
export async function changeOnceAsUser<T extends JsonValue>(
  ctx: Pick<
    ActionContext<JsonObject>,
    'checkpoint' | 'getInitiatorCredentials'
  >,
  auth: AuthService,
  options: ChangeOnceOptions<T>,
): Promise<T> {
  return ctx.checkpoint({
    key: options.key,
    fn: async () => {
      try {
        return await options.call(await userToken(auth, ctx));
      } catch (error) {
        const recovered = options.recover?.(error);
        if (recovered !== undefined) return recovered;
        const actionError = toActionError(error, options.failure);
        if (options.redact) {
          actionError.message = options.redact(actionError.message);
        }
        throw actionError;
      }
    },
  });
}
