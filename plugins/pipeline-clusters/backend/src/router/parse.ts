import { InputError } from '@backstage/errors';
import { describeIssues } from '@pipeline-portal/plugin-pipeline-clusters-common';
import { z } from 'zod';

/** Parses with a zod schema; a 400 naming every field at fault otherwise. */
export function parse<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: string,
): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) {
    throw new InputError(`invalid ${where}: ${describeIssues(result.error)}`);
  }
  return result.data;
}

/** A request as every route sees it, before the spec's types narrow it. */
export interface RawRequest {
  params: Record<string, string>;
  query: unknown;
  body: unknown;
}

/**
 * How one operation reads its request with the zod schemas: used by its
 * handler, and to explain a request the OpenAPI validator refused in the
 * house wording (`invalid cluster spec: nodePools[0].minSize: ...`).
 */
export type RequestReaders = Record<string, (req: RawRequest) => unknown>;
