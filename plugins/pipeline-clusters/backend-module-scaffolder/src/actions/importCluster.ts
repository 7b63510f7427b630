import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { importClusterSchema } from '@pipeline-portal/plugin-pipeline-clusters-common';
import { changeOnceAsUser } from './apiCall';
import { examples } from './importCluster.examples';
import {
  newClusterInput,
  newClusterOutput,
  outputNewCluster,
} from './clusterFields';
import { parseInput, PipelineClustersActionOptions } from './util';

/**
 * A kubeconfig pasted into a one-line secret field loses its line breaks, so
 * base64 of the YAML (or JSON) is accepted as well.
 */
export function decodeKubeconfig(value: string): string {
  const compact = value.replace(/\s+/g, '');
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(compact) && compact.length % 4 === 0) {
    const decoded = Buffer.from(compact, 'base64').toString('utf8');
    if (/apiVersion|clusters/.test(decoded)) return decoded;
  }
  return value;
}

/** Removes any line of the kubeconfig that an error message might echo. */
function redact(message: string, kubeconfig: string): string {
  let result = message;
  for (const secret of [kubeconfig, ...kubeconfig.split(/\r?\n/)]) {
    const trimmed = secret.trim();
    if (trimmed.length >= 8) result = result.split(trimmed).join('***');
  }
  return result;
}

/** Imports an existing cluster: `pipeline:cluster:import`. */
export function createClusterImportAction(
  options: PipelineClustersActionOptions,
) {
  const { client, auth } = options;
  return createTemplateAction({
    id: 'pipeline:cluster:import',
    description:
      'Imports an existing Kubernetes cluster from its kubeconfig (pass it as a secret), as the user running the template.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        ...newClusterInput,
        kubeconfig: z =>
          z
            .string()
            .describe(
              'Kubeconfig (YAML, JSON or base64 of either): pass ${{ secrets.kubeconfig }}, never a parameter',
            ),
      },
      output: newClusterOutput,
    },
    async handler(ctx) {
      const kubeconfig =
        typeof ctx.input.kubeconfig === 'string'
          ? decodeKubeconfig(ctx.input.kubeconfig)
          : ctx.input.kubeconfig;
      const request = parseInput(importClusterSchema, {
        name: ctx.input.name,
        owner: ctx.input.owner,
        kubeconfig,
      });

      let phase = 'Pending';
      if (ctx.isDryRun) {
        ctx.logger.info(`Dry run: would import cluster ${request.name}`);
      } else {
        // Only the name and phase are checkpointed: checkpoint values are
        // stored with the task, the kubeconfig must not be.
        const imported = await changeOnceAsUser(ctx, auth, {
          key: `cluster-import-${request.name}`,
          failure: `Importing cluster ${request.name} failed`,
          call: async asUser => {
            const cluster = await client.importCluster(request, asUser);
            return { name: cluster.name, phase: cluster.status.phase };
          },
          redact: message => redact(message, request.kubeconfig),
        });
        phase = imported.phase;
        ctx.logger.info(`Cluster ${request.name} imported: ${phase}`);
      }
      outputNewCluster(ctx, request.name, phase);
    },
  });
}
