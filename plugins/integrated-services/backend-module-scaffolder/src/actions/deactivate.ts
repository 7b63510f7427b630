import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { examples } from './deactivate.examples';
import {
  asUser,
  IntegratedServicesActionOptions,
  statusOf,
  toActionError,
} from './apiCall';
import {
  clusterInput,
  parseCluster,
  parseService,
  serviceInput,
} from './fields';

/** Deactivates a service: `integrated-service:deactivate`; the reconciler uninstalls it. */
export function createDeactivateAction(
  options: IntegratedServicesActionOptions,
) {
  const { client, auth } = options;
  return createTemplateAction({
    id: 'integrated-service:deactivate',
    description:
      'Deactivates an integrated service on a cluster (its chart is uninstalled), as the user running the template.',
    examples,
    supportsDryRun: true,
    schema: {
      input: { cluster: clusterInput, service: serviceInput },
      output: {
        cluster: z => z.string().describe('Cluster name'),
        service: z => z.string().describe('Service name'),
        deactivated: z =>
          z
            .boolean()
            .describe('False when it was not active in the first place'),
      },
    },
    async handler(ctx) {
      const cluster = parseCluster(ctx.input.cluster);
      const service = parseService(ctx.input.service);
      let deactivated = true;
      if (ctx.isDryRun) {
        ctx.logger.info(`Dry run: would deactivate ${service} on ${cluster}`);
      } else {
        deactivated = await ctx.checkpoint({
          key: `integrated-service-deactivate-${cluster}-${service}`,
          fn: async () => {
            try {
              await client.deleteInstance(
                cluster,
                service,
                await asUser(auth, ctx),
              );
              return true;
            } catch (error) {
              // Not active is what was asked for.
              if (statusOf(error) === 404) return false;
              throw toActionError(
                error,
                `Deactivating ${service} on cluster ${cluster} failed`,
              );
            }
          },
        });
        ctx.logger.info(
          deactivated
            ? `${service} on ${cluster} is being uninstalled`
            : `${service} was not active on ${cluster}`,
        );
      }
      ctx.output('cluster', cluster);
      ctx.output('service', service);
      ctx.output('deactivated', deactivated);
    },
  });
}
