import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import type { ActivateRequest } from '@pipeline-portal/plugin-integrated-services-common';
import { examples } from './update.examples';
import { asUser, call, IntegratedServicesActionOptions } from './apiCall';
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

/**
 * Updates an active service: `integrated-service:update`. Fields left out keep
 * what the cluster holds, so a version bump keeps the spec and overrides.
 */
export function createUpdateAction(options: IntegratedServicesActionOptions) {
  const { client, auth } = options;
  return createTemplateAction({
    id: 'integrated-service:update',
    description:
      'Changes the version, spec or overrides of an active integrated service (previewed first), as the user running the template.',
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
      const what = `Updating ${service} on cluster ${cluster} failed`;
      const current = await call(what, async () =>
        client.getInstance(cluster, service, await asUser(auth, ctx)),
      );
      const request: ActivateRequest = {
        version: ctx.input.version ?? current.desired.version,
        spec: (ctx.input.spec ??
          current.desired.spec) as ActivateRequest['spec'],
        overrides: (ctx.input.overrides ??
          current.desired.overrides) as ActivateRequest['overrides'],
        enabled: current.desired.enabled,
      };
      const preview = await call(what, async () =>
        client.previewInstance(
          cluster,
          service,
          request,
          await asUser(auth, ctx),
        ),
      );
      ctx.logger.info(
        `${service} on ${cluster}: ${
          preview.plan.direction
        } ${preview.plan.path.join(' -> ')}, ${
          preview.plan.steps.length
        } step(s), ${preview.valuesDiff.length} values change(s)`,
      );
      if (!ctx.isDryRun) {
        await ctx.checkpoint({
          key: `integrated-service-update-${cluster}-${service}`,
          fn: () =>
            call(what, async () => {
              await client.putInstance(
                cluster,
                service,
                request,
                await asUser(auth, ctx),
              );
            }),
        });
        ctx.logger.info(`${service} on ${cluster} updated`);
      }
      ctx.output('cluster', cluster);
      ctx.output('service', service);
      ctx.output('version', preview.version);
      ctx.output('path', preview.plan.path);
    },
  });
}
