import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  clusterSpecSchema,
  CreateClusterRequest,
  PROVISIONED_DISTRIBUTIONS,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { changeOnceAsUser } from './apiCall';
import { examples } from './createCluster.examples';
import { nodePoolInput } from './nodePoolInput';
import {
  newClusterInput,
  newClusterOutput,
  outputNewCluster,
} from './clusterFields';
import { parseInput, PipelineClustersActionOptions } from './util';

const distributions = PROVISIONED_DISTRIBUTIONS as unknown as [
  string,
  ...string[],
];

/** Creates a cluster: `pipeline:cluster:create`. */
export function createClusterCreateAction(
  options: PipelineClustersActionOptions,
) {
  const { client, auth } = options;
  return createTemplateAction({
    id: 'pipeline:cluster:create',
    description:
      'Creates a managed Kubernetes cluster through the pipeline-clusters API, as the user running the template.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        ...newClusterInput,
        distribution: z =>
          z.enum(distributions).describe('Managed Kubernetes offering'),
        region: z => z.string().describe('Cloud region, e.g. eu-west-1'),
        kubernetesVersion: z =>
          z.string().describe('Kubernetes minor version, e.g. 1.32'),
        credential: z =>
          z
            .string()
            .describe("Name of the owner's cloud credential in the portal"),
        nodePools: z =>
          z.array(nodePoolInput(z)).min(1).describe('Node pools, at least one'),
      },
      output: newClusterOutput,
    },
    async handler(ctx) {
      const { name, owner, distribution, region, kubernetesVersion } =
        ctx.input;
      const request = {
        name,
        owner,
        distribution,
        region,
        kubernetesVersion,
        credential: ctx.input.credential,
        nodePools: ctx.input.nodePools,
      };
      // Same checks as the API, so a mistake fails before any task runs on.
      const spec = parseInput(clusterSpecSchema, request);

      let phase = 'Pending';
      if (ctx.isDryRun) {
        ctx.logger.info(`Dry run: would create cluster ${spec.name}`);
      } else {
        // The API answers a repeated create (same name and owner) with the
        // same cluster; the checkpoint avoids even asking on a retried task.
        const created = await changeOnceAsUser(ctx, auth, {
          key: `cluster-create-${spec.name}`,
          failure: `Creating cluster ${spec.name} failed`,
          // The normalized spec: full owner ref, version without `v`.
          call: async asUser => {
            const cluster = await client.createCluster(
              spec as CreateClusterRequest,
              asUser,
            );
            return { name: cluster.name, phase: cluster.status.phase };
          },
        });
        phase = created.phase;
        ctx.logger.info(`Cluster ${spec.name} requested: ${phase}`);
      }
      outputNewCluster(ctx, spec.name, phase);
    },
  });
}
