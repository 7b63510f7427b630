import { AuthService } from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  isError,
  NotAllowedError,
  NotFoundError,
  ResponseError,
} from '@backstage/errors';
import {
  describeIssues,
  PipelineClustersApi,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { ActionContext } from '@backstage/plugin-scaffolder-node';
import type { JsonObject } from '@backstage/types';
import type { ZodType } from 'zod';

/** What every action factory gets from the module: built once in init. */
export interface PipelineClustersActionOptions {
  client: PipelineClustersApi;
  auth: AuthService;
}

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

/** Parses with a zod 4 schema; failures become an InputError naming each field. */
export function parseInput<T extends ZodType>(
  schema: T,
  value: unknown,
): ReturnType<T['parse']> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new InputError(describeIssues(parsed.error));
  }
  return parsed.data as ReturnType<T['parse']>;
}

/** HTTP status of an API error, if it is one. */
export function statusOf(error: unknown): number | undefined {
  return error instanceof ResponseError ? error.response.status : undefined;
}

/**
 * Turns a REST API error into the matching Backstage error carrying the API's
 * own message (the ResponseError message only says "Request failed with 400").
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

/** The portal page of a cluster, relative to the app's base URL. */
export const clusterUrl = (name: string) => `/clusters/${name}`;

/** The catalog entity the catalog module emits for a cluster. */
export const clusterEntityRef = (name: string) => `resource:default/${name}`;

/** Accepts `resource:default/x` as well as `x`: what an EntityPicker yields. */
export function clusterName(value: string): string {
  const match = /^resource:(?:[^/]+\/)?(.+)$/i.exec(value.trim());
  return match ? match[1] : value.trim();
}
