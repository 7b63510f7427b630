import type { IntegratedServiceEntity } from '@pipeline-portal/plugin-integrated-services-common';
import { ClusterConnection, Header } from './ClusterConnection';
import { StepFailedError } from './errors';
import { InstancePlan, ServiceInstance } from './instance';
import { releaseState } from './release';
import { RenderedService, targetNamespaceOf } from './render';
import { objectsOf } from './resolve';
import { deleteResources, patchResource, runJob, StepOutcome } from './steps';

type Definition = Pick<IntegratedServiceEntity, 'metadata' | 'spec'>;

const REQUESTED_AT = 'reconcile.fluxcd.io/requestedAt';

/**
 * Runs the plan's current step: makes its writes unless they were made
 * (`plan.stepApplied`), else checks whether it finished. A chart upgrade is
 * finished once its HelmRelease is Ready at the version's chart version.
 * Retrying a failed step makes its writes again.
 */
export async function runStep(
  conn: ClusterConnection,
  instance: ServiceInstance,
  definition: Definition,
  plan: InstancePlan,
  options: {
    retrying: boolean;
    now: Date;
    render: (version: string) => Promise<RenderedService>;
  },
): Promise<StepOutcome> {
  const step = plan.steps[plan.currentStep];
  const applied = !!plan.stepApplied && !options.retrying;
  const ctx = {
    conn,
    targetNamespace: targetNamespaceOf(definition),
    instanceName: instance.metadata.name,
    index: plan.currentStep,
    startedAt: Date.parse(plan.stepStartedAt ?? plan.startedAt ?? '') || 0,
    now: options.now.getTime(),
  };
  switch (step.type) {
    case 'chartUpgrade': {
      const rendered = await options.render(step.to);
      if (!applied) {
        for (const object of objectsOf(rendered)) {
          await conn.apply(object);
        }
        if (options.retrying) {
          // Flux retries a failed release when asked to reconcile again.
          await conn.merge(rendered.release as Header, {
            metadata: {
              annotations: { [REQUESTED_AT]: options.now.toISOString() },
            },
          });
        }
        return 'waiting';
      }
      const state = releaseState(
        await conn.read(rendered.release as Header),
        rendered.chartVersion,
      );
      if (state.kind === 'failed') throw new StepFailedError(state.message);
      return state.kind === 'ready' ? 'done' : 'waiting';
    }
    case 'deleteResources':
      return deleteResources(ctx, step, applied);
    case 'patchResource':
      return patchResource(ctx, step);
    case 'runJob':
      return runJob(ctx, step, applied);
    default:
      throw new StepFailedError(
        `unknown step type ${(step as { type: string }).type}`,
      );
  }
}
