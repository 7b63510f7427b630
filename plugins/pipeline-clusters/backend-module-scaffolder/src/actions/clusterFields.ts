import { ActionContext } from '@backstage/plugin-scaffolder-node';
import type { JsonObject } from '@backstage/types';
import type { z as zod } from 'zod/v3';
import { clusterEntityRef, clusterUrl } from './util';

type Field = (z: typeof zod) => zod.ZodType;

/** An existing cluster: what a plain field or an EntityPicker yields. */
export const clusterRefInput = (z: typeof zod) =>
  z.string().describe('Cluster name, or its resource entity ref');

/** Inputs a new cluster starts from, whether created or imported. */
export const newClusterInput = {
  name: z =>
    z
      .string()
      .describe('Cluster name: an RFC 1123 label of at most 40 characters'),
  owner: z => z.string().describe('Owning group, e.g. group:default/payments'),
} satisfies Record<string, Field>;

/** What a template links to once a cluster is requested or imported. */
export const newClusterOutput = {
  name: z => z.string().describe('Cluster name'),
  phase: z =>
    z
      .string()
      .describe(
        'Phase after the request: Pending when created, Running when imported',
      ),
  clusterUrl: z => z.string().describe('Portal page of the cluster, relative'),
  entityRef: z => z.string().describe('Catalog entity of the cluster'),
} satisfies Record<string, Field>;

/** Sets the outputs of `newClusterOutput`. */
export function outputNewCluster(
  ctx: Pick<ActionContext<JsonObject>, 'output'>,
  name: string,
  phase: string,
) {
  ctx.output('name', name);
  ctx.output('phase', phase);
  ctx.output('clusterUrl', clusterUrl(name));
  ctx.output('entityRef', clusterEntityRef(name));
}
