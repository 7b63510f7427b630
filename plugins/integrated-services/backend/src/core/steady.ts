import type { KubernetesObject } from '@kubernetes/client-node';
import { detectDrift, formatPath } from '@pipeline-portal/backend-kit';
import { ClusterConnection, Header } from './ClusterConnection';
import {
  DriftRecord,
  InstancePhase,
  InstanceStatus,
  ServiceInstance,
} from './instance';
import { releaseState, ReleaseState } from './release';
import { RenderedService } from './render';
import { objectsOf } from './resolve';
import { addDrift, writeStatus } from './status';

export interface SteadyResult {
  outcome: 'ok' | 'failed' | 'drifted';
  records: DriftRecord[];
}

function phaseOf(state: ReleaseState, drifted: boolean): InstancePhase {
  if (state.kind === 'failed') return 'Failed';
  return state.kind === 'ready' && !drifted ? 'Ready' : 'Upgrading';
}

function messageOf(
  state: ReleaseState,
  records: DriftRecord[],
  installed: string,
): string {
  if (state.kind === 'failed') return state.message;
  if (records.length) {
    return `drift corrected: ${records.map(r => r.object).join(', ')}`;
  }
  if (state.kind === 'ready') return `${installed} is installed`;
  return 'waiting for the release to settle';
}

/**
 * Installed and settled: reads the rendered objects back, puts back any
 * changed or deleted by hand (recorded in status, field paths only so that
 * a Secret's values never reach it) and follows the release's health.
 */
export async function steady(
  conn: ClusterConnection,
  instance: ServiceInstance,
  rendered: RenderedService,
  extra: Pick<InstanceStatus, 'availableTargets' | 'unreachable'>,
  now: Date,
): Promise<SteadyResult> {
  const status = instance.status ?? {};
  const objects = objectsOf(rendered).filter(o => o.kind !== 'Namespace');
  const live: Array<KubernetesObject | undefined> = [];
  for (const object of objects) live.push(await conn.read(object as Header));
  const at = now.toISOString();
  const records: DriftRecord[] = [];
  for (const d of detectDrift(objects, live, () => ({}))) {
    if (d.kind === 'deleting') continue;
    await conn.apply(d.object);
    records.push({
      object: `${d.object.kind} ${d.object.metadata?.name}`,
      kind: d.kind,
      ...(d.kind === 'changed'
        ? { fields: d.fields.map(f => formatPath(f.path)) }
        : {}),
      at,
    });
  }
  const state = releaseState(
    live[objects.indexOf(rendered.release)],
    rendered.chartVersion,
  );
  const installed = `${instance.spec.service} ${status.installedVersion}`;
  await writeStatus(
    conn,
    instance,
    {
      phase: phaseOf(state, records.length > 0),
      installedVersion: status.installedVersion,
      message: messageOf(state, records, installed),
      drift: records.length ? addDrift(status.drift, records) : status.drift,
      ...(state.kind === 'failed'
        ? { lastError: { message: state.message, at } }
        : {}),
      ...extra,
    },
    now,
  );
  if (records.length) return { outcome: 'drifted', records };
  return { outcome: state.kind === 'failed' ? 'failed' : 'ok', records };
}
