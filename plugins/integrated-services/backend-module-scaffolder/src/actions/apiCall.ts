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
import type { JsonObject } from '@backstage/types';
import type { IntegratedServicesApi } from '@pipeline-portal/plugin-integrated-services-common';

export interface IntegratedServicesActionOptions {
  client: IntegratedServicesApi;
  auth: AuthService;
}

type Ctx = Pick<ActionContext<JsonObject>, 'getInitiatorCredentials'>;

/**
 * A token that makes the REST API see the user who runs the template, so the
 * plugin's permissions apply to them rather than to the scaffolder.
 */
export async function asUser(
  auth: AuthService,
  ctx: Ctx,
): Promise<{ token: string }> {
  const { token } = await auth.getPluginRequestToken({
    onBehalfOf: await ctx.getInitiatorCredentials(),
    targetPluginId: 'integrated-services',
  });
  return { token };
}

export function statusOf(error: unknown): number | undefined {
  return error instanceof ResponseError ? error.response.status : undefined;
}

/** A REST API error as the matching Backstage error, with the API's own message. */
export function toActionError(error: unknown, what: string): Error {
  if (!(error instanceof ResponseError)) {
    return isError(error) ? error : new Error(String(error));
  }
  const message = `${what}: ${error.body?.error?.message ?? error.message}`;
  switch (error.response.status) {
    case 400:
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

/** Calls the API; its errors become Backstage errors prefixed with `what`. */
export async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toActionError(error, what);
  }
}
