import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { clusterRefInput } from './clusterFields';
import { examples } from './deleteCluster.examples';
import { changeOnceAsUser, statusOf } from './apiCall';
import { parseClusterName, PipelineClustersActionOptions } from './util';

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
        name: clusterRefInput,
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
      const name = parseClusterName(ctx.input.name);

      let phase: string;
      if (ctx.isDryRun) {
        ctx.logger.info(`Dry run: would delete cluster ${name}`);
        phase = 'Deleting';
      } else {
        const deleted = await changeOnceAsUser(ctx, auth, {
          key: `cluster-delete-${name}`,
          failure: `Deleting cluster ${name} failed`,
          call: async asUser => {
            const cluster = await client.deleteCluster(name, asUser);
            return { phase: cluster.status.phase };
          },
          // Already gone is what was asked for.
          recover: error =>
            statusOf(error) === 404 ? { phase: 'Deleted' } : undefined,
        });
        phase = deleted.phase;
        ctx.logger.info(`Cluster ${name}: ${phase}`);
      }
      ctx.output('name', name);
      ctx.output('phase', phase);
    },
  });
}
