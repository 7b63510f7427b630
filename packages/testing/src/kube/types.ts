/** A Kubernetes object as stored and served by the double (plain JSON). */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [key: string]: unknown;
}

/** The subset of `metadata` the double reads and maintains. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  managedFields?: ManagedFieldsEntry[];
  [key: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

/** Description of one served resource (one group/version/plural). */
export interface ResourceType {
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs: string[];
  /** Whether a `status` subresource is served (status ignored on the main resource). */
  statusSubresource: boolean;
  /** Whether `metadata.generation` is maintained for this kind. */
  generation: boolean;
  /** Name rule applied to `metadata.name`. */
  nameRule: 'subdomain' | 'label' | 'path';
  /** Deleting returns the object (true) or a `Status` (false), as the real registry does. */
  returnDeletedObject: boolean;
  /** Objects of all versions of one group/plural share this storage key. */
  storageKey: string;
  /** Set for custom resources: the CRD version's OpenAPI v3 schema. */
  schema?: Record<string, unknown>;
  /** Extra field selectors supported besides metadata.name / metadata.namespace. */
  fieldLabels?: string[];
  /** Additional printer columns of a CRD version (for `kubectl get`). */
  printerColumns?: PrinterColumn[];
}

export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
  priority?: number;
  format?: string;
}

/** Kinds of store mutation, used by watches and reactions. */
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: WatchEventType;
  resourceVersion: number;
  storageKey: string;
  object: KubeObject;
  /** The previous state for MODIFIED / DELETED events. */
  oldObject?: KubeObject;
}

export const apiVersionOf = (group: string, version: string): string =>
  group ? `${group}/${version}` : version;

export function splitApiVersion(apiVersion: string): {
  group: string;
  version: string;
} {
  const i = apiVersion.indexOf('/');
  return i < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** `configmaps` or `clusters.cluster.x-k8s.io`, as the API server names resources in messages. */
export const qualifiedResource = (t: ResourceType): string =>
  t.group ? `${t.plural}.${t.group}` : t.plural;

/** `ConfigMap` or `Cluster.cluster.x-k8s.io`, as used in Invalid messages. */
export const qualifiedKind = (t: ResourceType): string =>
  t.group ? `${t.kind}.${t.group}` : t.kind;

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export const clone = <T>(v: T): T =>
  v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return (
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((v, i) => deepEqual(v, b[i]))
    );
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter(k => a[k] !== undefined);
    const kb = Object.keys(b).filter(k => b[k] !== undefined);
    return ka.length === kb.length && ka.every(k => deepEqual(a[k], b[k]));
  }
  return false;
}
