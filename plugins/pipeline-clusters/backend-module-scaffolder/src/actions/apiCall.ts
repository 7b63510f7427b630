import { AuthService } from '@backstage/backend-plugin-api';
import { ActionContext } from '@backstage/plugin-scaffolder-node';
import type { JsonObject, JsonValue } from '@backstage/types';
import {
  initiatorToken,
  InitiatorContext,
  responseStatus,
  toActionError,
} from '@pipeline-portal/backend-kit';

/** A token that makes the clusters API see the user who runs the template. */
export function userToken(
  auth: AuthService,
  ctx: InitiatorContext,
): Promise<{ token: string }> {
  return initiatorToken(auth, ctx, 'pipeline-clusters');
}

export { responseStatus as statusOf, toActionError };

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
