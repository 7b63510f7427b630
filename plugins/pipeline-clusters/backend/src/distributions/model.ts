import { KubernetesObject } from '@kubernetes/client-node';

/** The metadata this module writes. */
export interface Meta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** A typed manifest: the subset of a CRD the portal renders. */
export interface Manifest<Spec> {
  apiVersion: string;
  kind: string;
  metadata: Meta;
  spec: Spec;
}

/** A condition as both Cluster API (v1beta1/v1beta2) and Crossplane write it. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  /** Cluster API v1beta1 conditions only. */
  severity?: string;
  lastTransitionTime?: string;
}

/** Reads `obj.path.to.field` without trusting the object's shape. */
export function field<T = unknown>(
  obj: KubernetesObject | undefined,
  ...path: string[]
): T | undefined {
  let cur: unknown = obj;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur as T | undefined;
}

export function conditionsOf(obj: KubernetesObject | undefined): Condition[] {
  const list = field<unknown>(obj, 'status', 'conditions');
  return Array.isArray(list)
    ? list.filter(
        (c): c is Condition =>
          !!c && typeof c === 'object' && typeof c.type === 'string',
      )
    : [];
}

export function condition(
  obj: KubernetesObject | undefined,
  type: string,
): Condition | undefined {
  return conditionsOf(obj).find(c => c.type === type);
}

export function isTrue(obj: KubernetesObject | undefined, type: string) {
  return condition(obj, type)?.status === 'True';
}

const FAILURE_REASON = /fail|error/i;

/**
 * A condition that reports a failure rather than progress: False with a
 * reason naming a failure, or a v1beta1 condition of severity Error.
 */
export function isFailure(c: Condition | undefined): c is Condition {
  return (
    !!c &&
    c.status === 'False' &&
    (FAILURE_REASON.test(c.reason ?? '') || c.severity === 'Error')
  );
}

export function isDeleting(obj: KubernetesObject | undefined): boolean {
  return !!obj?.metadata?.deletionTimestamp;
}

/** Drops undefined members so rendered objects carry no empty fields. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined),
  ) as T;
}

export function asObject<Spec>(m: Manifest<Spec>): KubernetesObject {
  return m as unknown as KubernetesObject;
}

/**
 * An Opaque Secret with base64 `data` (not `stringData`, which the API server
 * converts on write: reading it back would never match what was applied).
 */
export function secret(
  metadata: Meta,
  values: Record<string, string>,
): KubernetesObject {
  const data = Object.fromEntries(
    Object.entries(values).map(([k, v]) => [
      k,
      Buffer.from(v, 'utf8').toString('base64'),
    ]),
  );
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata,
    type: 'Opaque',
    data,
  } as KubernetesObject;
}
