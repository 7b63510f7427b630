import { kubernetesStatusOf } from '@pipeline-portal/backend-kit';
import type { CustomObjectsApi } from '@kubernetes/client-node';
import type { RunStatus } from '@pipeline-portal/plugin-spotguides-common';

/** What a PipelineRun's status says, as the portal shows it. */
export interface ObservedRun {
  status: RunStatus;
  completedAt?: string;
  /** Tekton's message on an ended run (why it failed). */
  message?: string;
}

type PipelineRun = {
  status?: {
    completionTime?: string;
    conditions?: Array<{ type?: string; status?: string; message?: string }>;
  };
};

/** Maps Tekton's Succeeded condition: absent Pending, Unknown Running, True/False the end. */
export function observe(run: PipelineRun): ObservedRun {
  const c = run.status?.conditions?.find(x => x.type === 'Succeeded');
  if (!c) return { status: 'Pending' };
  if (c.status === 'Unknown') return { status: 'Running' };
  const completedAt = run.status?.completionTime ?? new Date().toISOString();
  return {
    status: c.status === 'True' ? 'Succeeded' : 'Failed',
    completedAt,
    ...(c.message ? { message: c.message } : {}),
  };
}

/** Reads one run; undefined when it is gone from its namespace. */
export async function readRun(
  api: CustomObjectsApi,
  namespace: string,
  name: string,
): Promise<ObservedRun | undefined> {
  try {
    const run = await api.getNamespacedCustomObject({
      group: 'tekton.dev',
      version: 'v1',
      plural: 'pipelineruns',
      namespace,
      name,
    });
    return observe(run as PipelineRun);
  } catch (error) {
    if (kubernetesStatusOf(error) === 404) return undefined;
    throw error;
  }
}
