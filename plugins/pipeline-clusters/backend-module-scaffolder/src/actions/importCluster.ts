import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { importClusterSchema } from '@pipeline-portal/plugin-pipeline-clusters-common';
import { examples } from './importCluster.examples';
import {
  clusterEntityRef,
  clusterUrl,
  parseInput,
  PipelineClustersActionOptions,
  toActionError,
  userToken,
} from './util';

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
        name: z =>
          z
            .string()
            .describe(
              'Cluster name: an RFC 1123 label of at most 40 characters',
            ),
        owner: z =>
          z.string().describe('Owning group, e.g. group:default/payments'),
        kubeconfig: z =>
          z
            .string()
            .describe(
              'Kubeconfig (YAML, JSON or base64 of either): pass ${{ secrets.kubeconfig }}, never a parameter',
            ),
      },
      output: {
        name: z => z.string().describe('Cluster name'),
        phase: z => z.string().describe('Phase after the import'),
        clusterUrl: z =>
          z.string().describe('Portal page of the cluster, relative'),
        entityRef: z => z.string().describe('Catalog entity of the cluster'),
      },
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

      let phase: string;
      if (ctx.isDryRun) {
        ctx.logger.info(`Dry run: would import cluster ${request.name}`);
        phase = 'Pending';
      } else {
        const { token } = await userToken(auth, ctx);
        // Only the name and phase are checkpointed: checkpoint values are
        // stored with the task, the kubeconfig must not be.
        const imported = await ctx.checkpoint({
          key: `cluster-import-${request.name}`,
          fn: async () => {
            try {
              const cluster = await client.importCluster(request, { token });
              return { name: cluster.name, phase: cluster.status.phase };
            } catch (error) {
              const e = toActionError(
                error,
                `Importing cluster ${request.name} failed`,
              );
              e.message = redact(e.message, request.kubeconfig);
              throw e;
            }
          },
        });
        phase = imported.phase;
        ctx.logger.info(`Cluster ${request.name} imported: ${phase}`);
      }
      ctx.output('name', request.name);
      ctx.output('phase', phase);
      ctx.output('clusterUrl', clusterUrl(request.name));
      ctx.output('entityRef', clusterEntityRef(request.name));
    },
  });
}
