import type { ServiceInstanceView } from '@pipeline-portal/plugin-integrated-services-common';
import { isPortalManaged, ServiceInstance } from '../core/instance';

/** A ServiceInstance as the REST API shows it. */
export function toView(
  cluster: string,
  instance: ServiceInstance,
): ServiceInstanceView {
  const status = instance.status ?? {};
  return {
    cluster,
    service: instance.metadata.name,
    managedBy: isPortalManaged(instance) ? 'portal' : 'external',
    desired: {
      version: instance.spec.version ?? '',
      enabled: instance.spec.enabled !== false,
      spec: instance.spec.spec ?? {},
      overrides: instance.spec.overrides ?? {},
    },
    status: {
      phase:
        status.phase ??
        (instance.metadata.deletionTimestamp ? 'Deleting' : 'Pending'),
      ...(status.installedVersion
        ? { installedVersion: status.installedVersion }
        : {}),
      ...(status.message ? { message: status.message } : {}),
      upToDate: status.observedGeneration === instance.metadata.generation,
      conditions: (status.conditions ?? []).map(
        ({ observedGeneration: _g, ...c }) => c,
      ),
      availableTargets: status.availableTargets ?? [],
      unreachable: status.unreachable ?? [],
      ...(status.plan
        ? {
            plan: {
              from: status.plan.from,
              to: status.plan.to,
              path: status.plan.path,
              steps: status.plan.steps,
              currentStep: status.plan.currentStep,
            },
          }
        : {}),
      ...(status.lastError ? { lastError: status.lastError } : {}),
      ...(status.retryAfter ? { retryAfter: status.retryAfter } : {}),
      drift: status.drift ?? [],
    },
    ...(instance.metadata.creationTimestamp
      ? { createdAt: instance.metadata.creationTimestamp }
      : {}),
  };
}
