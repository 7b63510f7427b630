import { ConflictError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import type { ActivateRequest } from '@pipeline-portal/plugin-integrated-services-common';
import { examples } from './activate.examples';
import {
  asUser,
  call,
  IntegratedServicesActionOptions,
  statusOf,
} from './apiCall';
import {
  clusterInput,
  instanceOutput,
  overridesInput,
  parseCluster,
  parseService,
  serviceInput,
  specInput,
  versionInput,
} from './fields';

/** Activates a service on a cluster: `integrated-service:activate`. */
export function createActivateAction(options: IntegratedServicesActionOptions) {
  const { client, auth } = options;
  return createTemplateAction({
    id: 'integrated-service:activate',
    description:
      'Activates an integrated service on a cluster (previewed first), as the user running the template.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        cluster: clusterInput,
        service: serviceInput,
        version: versionInput,
        spec: specInput,
        overrides: overridesInput,
      },
      output: instanceOutput,
    },
    async handler(ctx) {
      const cluster = parseCluster(ctx.input.cluster);
      const service = parseService(ctx.input.service);
      const request: ActivateRequest = {
        version: ctx.input.version ?? '',
        spec: (ctx.input.spec ?? {}) as ActivateRequest['spec'],
        overrides: (ctx.input.overrides ?? {}) as ActivateRequest['overrides'],
      };
      const what = `Activating ${service} on cluster ${cluster} failed`;
      // The preview validates the request and gives the plan, writing nothing.
      const preview = await call(what, async () =>
        client.previewInstance(
          cluster,
          service,
          request,
          await asUser(auth, ctx),
        ),
      );
      ctx.logger.info(
        `${service} ${preview.version} on ${cluster}: ${
          preview.plan.direction
        } via ${preview.plan.path.join(' -> ')}, ${
          preview.valuesDiff.length
        } values change(s)`,
      );
      if (!ctx.isDryRun) {
        await ctx.checkpoint({
          key: `integrated-service-activate-${cluster}-${service}`,
          fn: () =>
            call(what, async () => {
              const token = await asUser(auth, ctx);
              const existing = await client
                .getInstance(cluster, service, token)
                .catch(error => {
                  if (statusOf(error) === 404) return undefined;
                  throw error;
                });
              if (existing) {
                throw new ConflictError(
                  `${service} is already active on ${cluster}; use integrated-service:update to change it`,
                );
              }
              await client.putInstance(cluster, service, request, token);
            }),
        });
        ctx.logger.info(`${service} activated on ${cluster}`);
      }
      ctx.output('cluster', cluster);
      ctx.output('service', service);
      ctx.output('version', preview.version);
      ctx.output('path', preview.plan.path);
    },
  });
}
