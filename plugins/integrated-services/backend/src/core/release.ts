import type { KubernetesObject } from '@kubernetes/client-node';

export type ReleaseState =
  | { kind: 'ready' }
  | { kind: 'progressing'; message: string }
  | { kind: 'failed'; message: string };

const REQUESTED_AT = 'reconcile.fluxcd.io/requestedAt';

/**
 * What helm-controller says of a HelmRelease against the chart version it
 * must run: Ready only once it observed the latest generation, reports Ready
 * True and its newest history entry is that chart version. Failed when it
 * observed the latest generation (and any reconcile request) and says
 * Ready False.
 */
export function releaseState(
  release: KubernetesObject | undefined,
  chartVersion: string,
): ReleaseState {
  if (!release) return { kind: 'progressing', message: 'release not found' };
  const status = (release as { status?: any }).status ?? {};
  const generation = release.metadata?.generation;
  const ready = (status.conditions ?? []).find((c: any) => c.type === 'Ready');
  const requested = release.metadata?.annotations?.[REQUESTED_AT];
  const observed =
    status.observedGeneration === generation &&
    (!requested || status.lastHandledReconcileAt === requested);
  if (!observed || !ready) {
    return { kind: 'progressing', message: 'waiting for helm-controller' };
  }
  if (ready.status === 'False') {
    return { kind: 'failed', message: ready.message || ready.reason };
  }
  const installed = status.history?.[0]?.chartVersion;
  if (ready.status === 'True' && installed === chartVersion) {
    return { kind: 'ready' };
  }
  return {
    kind: 'progressing',
    message: ready.message || `release at ${installed ?? 'no version'}`,
  };
}
