import type { IntegratedServiceEntity } from '@pipeline-portal/plugin-integrated-services-common';
import { ClusterConnection } from './ClusterConnection';
import { InstancePlan, ServiceInstance } from './instance';
import { targetsFrom, writeStatus } from './status';

type Definition = Pick<IntegratedServiceEntity, 'metadata' | 'spec'>;

/**
 * Stops with the error in status: phase Failed, the plan kept at the step
 * that failed, and a retry after a delay that doubles with each failure up
 * to a cap. The error's first time is kept while it repeats.
 */
export async function recordFailure(
  conn: ClusterConnection,
  instance: ServiceInstance,
  options: {
    definition: Definition | undefined;
    plan: InstancePlan | undefined;
    message: string;
    installed: string | undefined;
    now: Date;
    baseBackoffMs: number;
    maxBackoffMs: number;
  },
): Promise<'failed'> {
  const { definition, plan, message, installed, now } = options;
  const previous = instance.status ?? {};
  const sameError =
    previous.phase === 'Failed' &&
    previous.lastError?.message === message &&
    previous.observedGeneration === instance.metadata.generation;
  const failures = (previous.failures ?? 0) + 1;
  const delay = Math.min(
    options.maxBackoffMs,
    options.baseBackoffMs * 2 ** Math.min(failures - 1, 30),
  );
  await writeStatus(
    conn,
    instance,
    {
      ...previous,
      phase: 'Failed',
      installedVersion: installed,
      message,
      plan: plan && { ...plan, stepApplied: false },
      lastError: {
        message,
        ...(plan ? { step: plan.currentStep } : {}),
        at: sameError ? previous.lastError!.at : now.toISOString(),
      },
      failures,
      retryAfter: new Date(now.getTime() + delay).toISOString(),
      ...(definition ? targetsFrom(definition, installed) : {}),
    },
    now,
  );
  return 'failed';
}
