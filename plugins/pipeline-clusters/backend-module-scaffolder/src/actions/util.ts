import { AuthService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  clusterNameSchema,
  describeIssues,
  PipelineClustersApi,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { z, type ZodType } from 'zod';

/** What every action factory gets from the module: built once in init. */
export interface PipelineClustersActionOptions {
  client: PipelineClustersApi;
  auth: AuthService;
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

/** The portal page of a cluster, relative to the app's base URL. */
export const clusterUrl = (name: string) => `/clusters/${name}`;

/** The catalog entity the catalog module emits for a cluster. */
export const clusterEntityRef = (name: string) => `resource:default/${name}`;

/** Accepts `resource:default/x` as well as `x`: what an EntityPicker yields. */
export function clusterName(value: string): string {
  const match = /^resource:(?:[^/]+\/)?(.+)$/i.exec(value.trim());
  return match ? match[1] : value.trim();
}

/** The cluster named by an input, as a name whatever form it came in. */
export function clusterNameOf(value: unknown): unknown {
  return typeof value === 'string' ? clusterName(value) : value;
}

/** The cluster an input names, checked: an InputError on `name` otherwise. */
export function parseClusterName(value: unknown): string {
  return parseInput(z.object({ name: clusterNameSchema }), {
    name: clusterNameOf(value),
  }).name;
}
