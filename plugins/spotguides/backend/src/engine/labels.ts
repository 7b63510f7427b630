import {
  MANAGED_BY,
  RUN_ANNOTATIONS,
  RUN_LABELS,
  statusContext,
} from '@pipeline-portal/plugin-spotguides-common';
import type { EventPlan } from './eventPlan';

export { statusContext };
export { runLink } from '../reporting';

/** The labels and annotations every engine-made PipelineRun carries. */
export function stampRun(
  run: Record<string, any>,
  stamp: {
    pipeline: string;
    kubernetesId: string;
    repository: string;
    plan: EventPlan;
    ref?: string;
    event: string;
    deliveryId: string;
  },
): Record<string, any> {
  const metadata = run.metadata ?? {};
  return {
    ...run,
    metadata: {
      ...metadata,
      // What the renderer set wins; the engine adds what only it knows.
      labels: {
        [RUN_LABELS.managedBy]: MANAGED_BY,
        [RUN_LABELS.pipeline]: stamp.pipeline,
        ...metadata.labels,
        'backstage.io/kubernetes-id': stamp.kubernetesId,
      },
      annotations: {
        [RUN_ANNOTATIONS.repository]: stamp.repository,
        [RUN_ANNOTATIONS.sha]: stamp.plan.context.revision,
        ...(stamp.ref ? { [RUN_ANNOTATIONS.ref]: stamp.ref } : {}),
        [RUN_ANNOTATIONS.event]: stamp.event,
        [RUN_ANNOTATIONS.statusContext]: statusContext(stamp.pipeline),
        ...metadata.annotations,
        [RUN_ANNOTATIONS.delivery]: stamp.deliveryId,
      },
    },
  };
}
