/**
 * The status a reconcile writes: phase, conditions derived from it, the
 * targets reachable from the installed version, and the write itself as a
 * merge patch that also clears the fields no longer set.
 */
import {
  IntegratedServiceEntity,
  planTargets,
  sortedVersions,
} from '@pipeline-portal/plugin-integrated-services-common';
import type { ClusterConnection } from './ClusterConnection';
import {
  Condition,
  DriftRecord,
  InstancePhase,
  InstanceStatus,
  InstanceTarget,
  ServiceInstance,
} from './instance';

export const PLURAL = 'serviceinstances';
/** Drift corrections kept in status, newest first. */
const DRIFT_KEPT = 10;

type Definition = Pick<IntegratedServiceEntity, 'metadata' | 'spec'>;

/** What a reachable version looks like from the installed one (or from nothing). */
export function targetsFrom(
  definition: Definition,
  installed: string | undefined,
): Pick<InstanceStatus, 'availableTargets' | 'unreachable'> {
  if (!installed) {
    return {
      availableTargets: sortedVersions(definition).map(v => ({
        version: v.version,
        direction: 'install',
        path: [v.version],
      })),
      unreachable: [],
    };
  }
  const plan = planTargets(definition, installed);
  return {
    availableTargets: plan.targets.map(
      (t): InstanceTarget => ({
        version: t.version,
        direction: t.direction === 'downgrade' ? 'downgrade' : 'upgrade',
        path: t.path,
        steps: t.steps,
      }),
    ),
    unreachable: plan.unreachable,
  };
}

function conditionsFor(
  phase: InstancePhase,
  message: string,
  generation: number | undefined,
  drifted: boolean,
): Array<Omit<Condition, 'lastTransitionTime'>> {
  const reason: Record<InstancePhase, string> = {
    Pending: 'Pending',
    Installing: 'Installing',
    Upgrading: 'Upgrading',
    Ready: 'Ready',
    Failed: 'Failed',
    Disabled: 'Disabled',
    Deleting: 'Deleting',
  };
  const progressing = [
    'Pending',
    'Installing',
    'Upgrading',
    'Deleting',
  ].includes(phase);
  let readyStatus: Condition['status'] = progressing ? 'Unknown' : 'False';
  if (phase === 'Ready') readyStatus = 'True';
  const g = generation !== undefined ? { observedGeneration: generation } : {};
  return [
    {
      type: 'Ready',
      status: readyStatus,
      reason: reason[phase],
      message: message || phase,
      ...g,
    },
    {
      type: 'Progressing',
      status: progressing ? 'True' : 'False',
      reason: reason[phase],
      message: message || phase,
      ...g,
    },
    {
      type: 'Drifted',
      status: drifted ? 'True' : 'False',
      reason: drifted ? 'DriftCorrected' : 'NoDrift',
      message: drifted
        ? 'objects changed or deleted outside the portal were put back'
        : 'the rendered objects match the cluster',
      ...g,
    },
  ];
}

/** Keeps a condition's transition time when its status did not change. */
function withTimes(
  next: Array<Omit<Condition, 'lastTransitionTime'>>,
  previous: Condition[] | undefined,
  now: string,
): Condition[] {
  return next.map(c => {
    const old = previous?.find(p => p.type === c.type);
    return {
      ...c,
      lastTransitionTime:
        old && old.status === c.status ? old.lastTransitionTime : now,
    };
  });
}

export function addDrift(
  previous: DriftRecord[] | undefined,
  found: DriftRecord[],
): DriftRecord[] {
  return [...found, ...(previous ?? [])].slice(0, DRIFT_KEPT);
}

/** JSON with object keys sorted: API servers do not keep the order written. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map(k => [k, v[k]]),
        )
      : v,
  );
}

/** The fields of a status that say something (not when it was said). */
function meaning(status: InstanceStatus | undefined): string {
  const { conditions, ...rest } = status ?? {};
  return canonical({
    ...rest,
    conditions: conditions?.map(({ lastTransitionTime: _t, ...c }) => c),
  });
}

/**
 * Writes the status when it changed, with conditions derived from the phase
 * and `observedGeneration` set; fields of the old status that the new one
 * lacks are removed. Returns the status as written.
 */
export async function writeStatus(
  conn: ClusterConnection,
  instance: ServiceInstance,
  next: Omit<InstanceStatus, 'conditions' | 'observedGeneration'>,
  now: Date,
): Promise<InstanceStatus> {
  const previous = instance.status;
  const drifted =
    (next.drift?.length ?? 0) > (previous?.drift?.length ?? 0) ||
    (!!next.drift?.length && next.drift[0].at !== previous?.drift?.[0]?.at);
  const status: InstanceStatus = {
    ...next,
    observedGeneration: instance.metadata.generation,
    conditions: withTimes(
      conditionsFor(
        next.phase ?? 'Pending',
        next.message ?? '',
        instance.metadata.generation,
        drifted,
      ),
      previous?.conditions,
      now.toISOString(),
    ),
  };
  for (const key of Object.keys(status) as Array<keyof InstanceStatus>) {
    if (status[key] === undefined) delete status[key];
  }
  if (meaning(status) === meaning(previous)) return status;
  const patch: Record<string, unknown> = { ...status };
  for (const key of Object.keys(previous ?? {})) {
    if (!(key in status)) patch[key] = null;
  }
  await conn.patchStatus(instance, PLURAL, patch);
  instance.status = status;
  return status;
}
