import type { EventPlan } from './eventPlan';

/** The commit status context of a pipeline. */
export const statusContext = (pipeline: string) =>
  `pipeline-portal/${pipeline}`;

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
        'app.kubernetes.io/managed-by': 'pipeline-portal',
        'pipeline-portal.io/pipeline': stamp.pipeline,
        ...metadata.labels,
        'backstage.io/kubernetes-id': stamp.kubernetesId,
      },
      annotations: {
        'pipeline-portal.io/repository': stamp.repository,
        'pipeline-portal.io/sha': stamp.plan.context.revision,
        ...(stamp.ref ? { 'pipeline-portal.io/ref': stamp.ref } : {}),
        'pipeline-portal.io/event': stamp.event,
        'pipeline-portal.io/status-context': statusContext(stamp.pipeline),
        ...metadata.annotations,
        'pipeline-portal.io/delivery': stamp.deliveryId,
      },
    },
  };
}

export const runLink = (
  baseUrl: string,
  run: { cluster: string; namespace: string; name: string },
) =>
  `${baseUrl.replace(/\/+$/, '')}/spotguides/runs/${encodeURIComponent(
    run.cluster,
  )}/${encodeURIComponent(run.namespace)}/${encodeURIComponent(run.name)}`;
