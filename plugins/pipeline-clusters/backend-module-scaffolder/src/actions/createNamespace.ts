import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  clusterNameSchema,
  createNamespaceSchema,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { clusterRefInput } from './clusterFields';
import { examples } from './createNamespace.examples';
import { changeOnceAsUser } from './apiCall';
import {
  clusterNameOf,
  parseInput,
  PipelineClustersActionOptions,
} from './util';
import { z as zod } from 'zod';

const inputSchema = zod.object({
  cluster: clusterNameSchema,
  ...createNamespaceSchema.shape,
});

/** Creates a team's namespace on a cluster: `pipeline:namespace:create`. */
export function createNamespaceCreateAction(
  options: PipelineClustersActionOptions,
) {
  const { client, auth } = options;
  return createTemplateAction({
    id: 'pipeline:namespace:create',
    description:
      "Creates (or updates) a team's namespace on a cluster with its RBAC, quota, limits, network and Kyverno policies.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        cluster: clusterRefInput,
        namespace: z => z.string().describe('Namespace name (RFC 1123 label)'),
        team: z =>
          z
            .string()
            .describe(
              'Group given admin in the namespace, e.g. group:default/payments',
            ),
        quota: z =>
          z
            .object({
              cpu: z.string().optional().describe('Total CPU, default 4'),
              memory: z
                .string()
                .optional()
                .describe('Total memory, default 8Gi'),
              pods: z.number().int().optional().describe('Pods, default 50'),
            })
            .optional()
            .describe('ResourceQuota of the namespace'),
        limits: z =>
          z
            .object({
              defaultCpu: z.string().optional(),
              defaultMemory: z.string().optional(),
              defaultRequestCpu: z.string().optional(),
              defaultRequestMemory: z.string().optional(),
            })
            .optional()
            .describe('Container defaults (LimitRange)'),
      },
      output: {
        cluster: z => z.string().describe('Cluster name'),
        namespace: z => z.string().describe('Namespace name'),
        objects: z =>
          z.array(z.string()).describe('Kind/name of each object applied'),
      },
    },
    async handler(ctx) {
      const { cluster, ...request } = parseInput(inputSchema, {
        ...ctx.input,
        cluster: clusterNameOf(ctx.input.cluster),
      });

      let objects: string[] = [];
      if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry run: would create namespace ${request.namespace} on cluster ${cluster}`,
        );
      } else {
        // The API applies idempotently; the checkpoint spares the cluster a
        // second apply when the task is retried.
        const result = await changeOnceAsUser(ctx, auth, {
          key: `namespace-create-${cluster}-${request.namespace}`,
          failure: `Creating namespace ${request.namespace} on cluster ${cluster} failed`,
          call: async asUser => {
            const created = await client.createNamespace(
              cluster,
              request,
              asUser,
            );
            return { namespace: created.namespace, objects: created.objects };
          },
        });
        objects = result.objects;
        ctx.logger.info(
          `Namespace ${request.namespace} on ${cluster}: ${objects.join(', ')}`,
        );
      }
      ctx.output('cluster', cluster);
      ctx.output('namespace', request.namespace);
      ctx.output('objects', objects);
    },
  });
}
