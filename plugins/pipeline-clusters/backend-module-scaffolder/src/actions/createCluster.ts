import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  clusterSpecSchema,
  CreateClusterRequest,
  PROVISIONED_DISTRIBUTIONS,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { examples } from './createCluster.examples';
import {
  clusterEntityRef,
  clusterUrl,
  parseInput,
  PipelineClustersActionOptions,
  toActionError,
  userToken,
} from './util';

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
        name: z =>
          z
            .string()
            .describe(
              'Cluster name: an RFC 1123 label of at most 40 characters',
            ),
        owner: z =>
          z.string().describe('Owning group, e.g. group:default/payments'),
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
          z
            .array(
              z.object({
                name: z.string().describe('Node pool name (RFC 1123 label)'),
                machineType: z
                  .string()
                  .describe('Instance type, e.g. m5.large'),
                minSize: z.number().int().min(0),
                maxSize: z.number().int().min(1),
                desiredSize: z.number().int().min(0).optional(),
                labels: z.record(z.string()).optional(),
                taints: z
                  .array(
                    z.object({
                      key: z.string(),
                      value: z.string().optional(),
                      effect: z.enum([
                        'NoSchedule',
                        'PreferNoSchedule',
                        'NoExecute',
                      ]),
                    }),
                  )
                  .optional(),
              }),
            )
            .min(1)
            .describe('Node pools, at least one'),
      },
      output: {
        name: z => z.string().describe('Cluster name'),
        phase: z =>
          z.string().describe('Phase after the request, e.g. Pending'),
        clusterUrl: z =>
          z.string().describe('Portal page of the cluster, relative'),
        entityRef: z => z.string().describe('Catalog entity of the cluster'),
      },
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

      let phase: string;
      if (ctx.isDryRun) {
        ctx.logger.info(`Dry run: would create cluster ${spec.name}`);
        phase = 'Pending';
      } else {
        const { token } = await userToken(auth, ctx);
        // The API answers a repeated create (same name and owner) with the
        // same cluster; the checkpoint avoids even asking on a retried task.
        const created = await ctx.checkpoint({
          key: `cluster-create-${spec.name}`,
          fn: async () => {
            try {
              // The normalized spec: full owner ref, version without `v`.
              const cluster = await client.createCluster(
                spec as CreateClusterRequest,
                { token },
              );
              return { name: cluster.name, phase: cluster.status.phase };
            } catch (error) {
              throw toActionError(
                error,
                `Creating cluster ${spec.name} failed`,
              );
            }
          },
        });
        phase = created.phase;
        ctx.logger.info(`Cluster ${spec.name} requested: ${phase}`);
      }
      ctx.output('name', spec.name);
      ctx.output('phase', phase);
      ctx.output('clusterUrl', clusterUrl(spec.name));
      ctx.output('entityRef', clusterEntityRef(spec.name));
    },
  });
}
