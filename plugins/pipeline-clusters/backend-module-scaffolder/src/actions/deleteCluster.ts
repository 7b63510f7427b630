import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { clusterNameSchema } from '@pipeline-portal/plugin-pipeline-clusters-common';
import { examples } from './deleteCluster.examples';
import {
  clusterName,
  parseInput,
  PipelineClustersActionOptions,
  statusOf,
  toActionError,
  userToken,
} from './util';
import { z as zod } from 'zod';

/** Deletes a cluster: `pipeline:cluster:delete`. */
export function createClusterDeleteAction(
  options: PipelineClustersActionOptions,
) {
  const { client, auth } = options;
  return createTemplateAction({
    id: 'pipeline:cluster:delete',
    description:
      'Deletes a cluster (provisioned ones are torn down, imported ones forgotten), as the user running the template.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        name: z =>
          z.string().describe('Cluster name, or its resource entity ref'),
      },
      output: {
        name: z => z.string().describe('Cluster name'),
        phase: z =>
          z
            .string()
            .describe('Phase after the request: Deleting, or Deleted if gone'),
      },
    },
    async handler(ctx) {
      const { name } = parseInput(zod.object({ name: clusterNameSchema }), {
        name:
          typeof ctx.input.name === 'string'
            ? clusterName(ctx.input.name)
            : ctx.input.name,
      });

      let phase: string;
      if (ctx.isDryRun) {
        ctx.logger.info(`Dry run: would delete cluster ${name}`);
        phase = 'Deleting';
      } else {
        const { token } = await userToken(auth, ctx);
        const deleted = await ctx.checkpoint({
          key: `cluster-delete-${name}`,
          fn: async () => {
            try {
              const cluster = await client.deleteCluster(name, { token });
              return { phase: cluster.status.phase };
            } catch (error) {
              // Already gone is what was asked for.
              if (statusOf(error) === 404) return { phase: 'Deleted' };
              throw toActionError(error, `Deleting cluster ${name} failed`);
            }
          },
        });
        phase = deleted.phase;
        ctx.logger.info(`Cluster ${name}: ${phase}`);
      }
      ctx.output('name', name);
      ctx.output('phase', phase);
    },
  });
}
