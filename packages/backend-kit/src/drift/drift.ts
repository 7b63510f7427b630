/**
 * Drift: how live objects departed from what the portal rendered, what to
 * apply to put them back, and how to say so.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import {
  compareObject,
  DriftRules,
  FieldDrift,
  formatPath,
  formatValue,
} from './compare';

export type ObjectDrift =
  | { kind: 'changed'; object: KubernetesObject; fields: FieldDrift[] }
  | { kind: 'missing'; object: KubernetesObject }
  /** Deleted by someone else, finalizers pending: recreated once gone. */
  | { kind: 'deleting'; object: KubernetesObject };

/** Fields listed per object in a message before "+N more". */
const FIELDS_SHOWN = 3;

/**
 * Compares each rendered object with its live counterpart (same order; a
 * missing one is undefined). Empty when nothing drifted.
 */
export function detectDrift(
  rendered: KubernetesObject[],
  live: Array<KubernetesObject | undefined>,
  rulesFor: (object: KubernetesObject) => DriftRules,
): ObjectDrift[] {
  const drift: ObjectDrift[] = [];
  rendered.forEach((object, i) => {
    const current = live[i];
    if (!current) {
      drift.push({ kind: 'missing', object });
    } else if (current.metadata?.deletionTimestamp) {
      drift.push({ kind: 'deleting', object });
    } else {
      const fields = compareObject(
        object as unknown as Record<string, unknown>,
        current as unknown as Record<string, unknown>,
        rulesFor(object),
      );
      if (fields.length) drift.push({ kind: 'changed', object, fields });
    }
  });
  return drift;
}

/**
 * What to apply to put a drifted object back: the rendered object, with the
 * live values of the fields its engine owns so that a correction never undoes
 * the engine's (an autoscaler's replicas). Undefined while it is deleting.
 */
export function correction(
  drift: ObjectDrift,
  live: KubernetesObject | undefined,
  rules: DriftRules,
): KubernetesObject | undefined {
  if (drift.kind === 'deleting') return undefined;
  if (drift.kind === 'missing' || !live) return drift.object;
  const out = structuredClone(drift.object) as unknown as Record<string, any>;
  for (const path of rules.engineOwned ?? []) {
    const value = get(live, path);
    const parent = get(out, path.slice(0, -1));
    if (value !== undefined && parent && typeof parent === 'object')
      parent[path[path.length - 1]] = structuredClone(value);
  }
  return out as KubernetesObject;
}

/** Whether the engine has work to do after the correction, not just metadata. */
export function engineMustCatchUp(drift: ObjectDrift[]): boolean {
  return drift.some(
    d => d.kind !== 'changed' || d.fields.some(f => f.path[0] !== 'metadata'),
  );
}

/**
 * For the cluster's history, e.g. `drift corrected: MachinePool demo-gpu
 * spec.replicas 5 -> 1; MachinePool demo-general recreated`.
 */
export function describeDrift(drift: ObjectDrift[]): string {
  const corrected = drift.flatMap(d => {
    const what = `${d.object.kind} ${d.object.metadata?.name}`;
    if (d.kind === 'missing') return [`${what} recreated`];
    if (d.kind === 'deleting') return [];
    const shown = d.fields
      .slice(0, FIELDS_SHOWN)
      .map(
        f =>
          `${formatPath(f.path)} ${formatValue(f.live)} -> ${formatValue(
            f.desired,
          )}`,
      );
    const more = d.fields.length - shown.length;
    return [`${what} ${shown.join(', ')}${more > 0 ? ` (+${more} more)` : ''}`];
  });
  const deleting = drift
    .filter(d => d.kind === 'deleting')
    .map(d => `${d.object.kind} ${d.object.metadata?.name}`);
  return [
    corrected.length ? `drift corrected: ${corrected.join('; ')}` : '',
    deleting.length
      ? `drift: ${deleting.join(
          ', ',
        )} deleted outside the portal; recreated once gone`
      : '',
  ]
    .filter(Boolean)
    .join('; ');
}

function get(obj: unknown, path: string[]): any {
  let cur: any = obj;
  for (const key of path)
    cur = cur && typeof cur === 'object' ? cur[key] : undefined;
  return cur;
}
