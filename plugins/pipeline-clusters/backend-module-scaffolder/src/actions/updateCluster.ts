import { ConflictError, InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { Cluster } from '@pipeline-portal/plugin-pipeline-clusters-common';
import {
  changeOnceAsUser,
  statusOf,
  toActionError,
  userToken,
} from './apiCall';
import {
  ClusterChange,
  clusterChangeSchema,
  ClusterPatch,
  describePatch,
  planClusterPatch,
} from './clusterChange';
import { nodePoolChangeInput, nodePoolInput } from './nodePoolInput';
import { clusterRefInput } from './clusterFields';
import { examples } from './updateCluster.examples';
import {
  parseClusterName,
  parseInput,
  PipelineClustersActionOptions,
} from './util';

/** The PATCH a cluster needs for a change; undefined when it has it already. */
function patchFor(cluster: Cluster, change: ClusterChange) {
  if (!cluster.spec) {
    throw new InputError(
      `cluster ${cluster.name} is imported: it is managed where it runs, the portal cannot scale or upgrade it`,
    );
  }
  if (
    cluster.status.phase === 'Deleting' ||
    cluster.status.phase === 'Deleted'
  ) {
    throw new ConflictError(`cluster ${cluster.name} is being deleted`);
  }
  return planClusterPatch(cluster.spec, change);
}

/**
 * Scales, adds or removes node pools, changes their labels and taints, or
 * upgrades Kubernetes: `pipeline:cluster:update`.
 */
export function createClusterUpdateAction(
  options: PipelineClustersActionOptions,
) {
  const { client, auth } = options;
  return createTemplateAction({
    id: 'pipeline:cluster:update',
    description:
      "Scales, adds or removes a cluster's node pools, changes their labels and taints, or upgrades its Kubernetes version, as the user running the template.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        name: clusterRefInput,
        kubernetesVersion: z =>
          z
            .string()
            .optional()
            .describe(
              'Upgrade to this Kubernetes minor version, e.g. 1.33 (empty: no upgrade)',
            ),
        nodePools: z =>
          z
            .object({
              change: z
                .array(nodePoolChangeInput(z))
                .optional()
                .describe('Existing pools to scale or relabel'),
              add: z.array(nodePoolInput(z)).optional().describe('New pools'),
              remove: z
                .array(z.string())
                .optional()
                .describe('Names of pools to remove'),
            })
            .optional()
            .describe('Node pool changes'),
      },
      output: {
        name: z => z.string().describe('Cluster name'),
        revision: z =>
          z.number().describe('Revision of the cluster after the change'),
        phase: z =>
          z
            .string()
            .describe(
              'Phase after the request: Updating, or Running when nothing had to change',
            ),
        changed: z =>
          z.boolean().describe('False when the cluster already was as asked'),
      },
    },
    async handler(ctx) {
      const name = parseClusterName(ctx.input.name);
      const change = parseInput(clusterChangeSchema, {
        // A template's empty form field means "no upgrade".
        kubernetesVersion: ctx.input.kubernetesVersion || undefined,
        nodePools: ctx.input.nodePools,
      });
      const failure = `Updating cluster ${name} failed`;
      const describe = (cluster: Cluster, patch: ClusterPatch) =>
        describePatch(cluster.spec!, patch);

      let result: { revision: number; phase: string; changed: boolean };
      if (ctx.isDryRun) {
        // Reading changes nothing, and tells whether the change applies.
        try {
          const cluster = await client.getCluster(
            name,
            await userToken(auth, ctx),
          );
          const patch = patchFor(cluster, change);
          ctx.logger.info(
            patch
              ? `Dry run: would update cluster ${name}: ${describe(
                  cluster,
                  patch,
                )}`
              : `Dry run: cluster ${name} already is as asked`,
          );
          result = {
            revision: cluster.revision,
            phase: patch ? 'Updating' : cluster.status.phase,
            changed: !!patch,
          };
        } catch (error) {
          throw toActionError(error, failure);
        }
      } else {
        result = await changeOnceAsUser(ctx, auth, {
          key: `cluster-update-${name}`,
          failure,
          call: async token => {
            // One retry on a stale revision: someone changed the cluster
            // between our read and our write; the change is planned again
            // from what they left.
            for (let attempt = 1; ; attempt++) {
              const cluster = await client.getCluster(name, token);
              const patch = patchFor(cluster, change);
              if (!patch) {
                ctx.logger.info(
                  `Cluster ${name} already is as asked (revision ${cluster.revision}, ${cluster.status.phase})`,
                );
                return {
                  revision: cluster.revision,
                  phase: cluster.status.phase,
                  changed: false,
                };
              }
              ctx.logger.info(
                `Updating cluster ${name}: ${describe(cluster, patch)}`,
              );
              try {
                const updated = await client.updateCluster(
                  name,
                  { revision: cluster.revision, ...patch },
                  token,
                );
                return {
                  revision: updated.revision,
                  phase: updated.status.phase,
                  changed: true,
                };
              } catch (error) {
                if (statusOf(error) !== 409 || attempt > 1) throw error;
                ctx.logger.warn(
                  `Cluster ${name} changed since it was read; reading it again`,
                );
              }
            }
          },
        });
        ctx.logger.info(
          `Cluster ${name}: revision ${result.revision}, ${result.phase}`,
        );
      }
      ctx.output('name', name);
      ctx.output('revision', result.revision);
      ctx.output('phase', result.phase);
      ctx.output('changed', result.changed);
    },
  });
}
