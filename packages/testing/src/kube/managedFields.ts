import { KubeApiError } from './status';
import {
  KubeObject,
  ManagedFieldsEntry,
  ResourceType,
  apiVersionOf,
  clone,
  deepEqual,
  isObject,
} from './types';

/**
 * Simplified field ownership. A field path is a list of map keys down to a
 * leaf; lists, scalars and empty maps are leaves (lists are atomic, there is
 * no merge-key or set semantics). Ownership is stored in real
 * `metadata.managedFields` entries (FieldsV1 `f:` notation) so clients see the
 * usual shape.
 */
export type FieldPath = string[];

const SEP = '\u0000';
const keyOf = (p: FieldPath) => p.join(SEP);
const pathOf = (k: string): FieldPath => k.split(SEP);

/** Leaves of an object that take part in ownership, keyed by path. */
export function leaves(
  obj: KubeObject | undefined,
  t: ResourceType,
  subresource?: string,
): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (!obj) return out;
  const walk = (v: unknown, path: FieldPath) => {
    if (isObject(v) && Object.keys(v).length > 0) {
      for (const [k, c] of Object.entries(v)) walk(c, [...path, k]);
    } else {
      out.set(keyOf(path), v);
    }
  };
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'apiVersion' || k === 'kind') continue;
    if (k === 'metadata') {
      const m = isObject(v) ? v : {};
      for (const mk of [
        'labels',
        'annotations',
        'finalizers',
        'ownerReferences',
      ]) {
        if (m[mk] !== undefined) walk(m[mk], ['metadata', mk]);
      }
      continue;
    }
    const isStatus = k === 'status';
    if (subresource === 'status' ? !isStatus : isStatus && t.statusSubresource)
      continue;
    walk(v, [k]);
  }
  return out;
}

const overlaps = (a: string, b: string) =>
  a === b || a.startsWith(b + SEP) || b.startsWith(a + SEP);

interface Entry {
  manager: string;
  operation: 'Apply' | 'Update';
  subresource?: string;
  apiVersion: string;
  time: string;
  paths: Set<string>;
}

function toFieldsV1(paths: Set<string>): Record<string, unknown> {
  const root: Record<string, any> = {};
  for (const k of paths) {
    let cur = root;
    for (const seg of pathOf(k)) {
      cur[`f:${seg}`] ??= {};
      cur = cur[`f:${seg}`];
    }
  }
  return root;
}

function fromFieldsV1(
  f: unknown,
  prefix: FieldPath = [],
  out = new Set<string>(),
) {
  if (!isObject(f)) return out;
  const keys = Object.keys(f).filter(k => k.startsWith('f:'));
  if (keys.length === 0 && prefix.length) out.add(keyOf(prefix));
  for (const k of keys) fromFieldsV1(f[k], [...prefix, k.slice(2)], out);
  return out;
}

function parse(obj: KubeObject | undefined): Entry[] {
  return (obj?.metadata?.managedFields ?? []).map(e => ({
    manager: e.manager,
    operation: e.operation,
    subresource: e.subresource,
    apiVersion: e.apiVersion,
    time: e.time,
    paths: fromFieldsV1(e.fieldsV1),
  }));
}

function serialize(entries: Entry[]): ManagedFieldsEntry[] {
  return entries
    .filter(e => e.paths.size > 0)
    .map(e => ({
      manager: e.manager,
      operation: e.operation,
      apiVersion: e.apiVersion,
      time: e.time,
      fieldsType: 'FieldsV1' as const,
      fieldsV1: toFieldsV1(e.paths),
      ...(e.subresource ? { subresource: e.subresource } : {}),
    }));
}

function entryFor(
  entries: Entry[],
  manager: string,
  operation: Entry['operation'],
  subresource: string | undefined,
  t: ResourceType,
  now: string,
): Entry {
  let e = entries.find(
    x =>
      x.manager === manager &&
      x.operation === operation &&
      x.subresource === subresource,
  );
  if (!e) {
    e = {
      manager,
      operation,
      subresource,
      apiVersion: '',
      time: now,
      paths: new Set(),
    };
    entries.push(e);
  }
  e.apiVersion = apiVersionOf(t.group, t.version);
  e.time = now;
  return e;
}

/** managedFields after a non-apply write: the writer owns every leaf it changed. */
export function recordUpdate(
  before: KubeObject | undefined,
  after: KubeObject,
  manager: string,
  t: ResourceType,
  subresource: string | undefined,
  now: string,
): ManagedFieldsEntry[] {
  const entries = parse(before);
  const oldLeaves = leaves(before, t, subresource);
  const newLeaves = leaves(after, t, subresource);
  const changed = [...newLeaves.keys()].filter(
    k => !oldLeaves.has(k) || !deepEqual(oldLeaves.get(k), newLeaves.get(k)),
  );
  if (changed.length > 0) {
    for (const e of entries) {
      for (const p of [...e.paths])
        if (changed.some(c => overlaps(c, p))) e.paths.delete(p);
    }
    const mine = entryFor(entries, manager, 'Update', subresource, t, now);
    changed.forEach(c => mine.paths.add(c));
  }
  return finish(entries, after, t);
}

// Drop ownership of fields that no longer exist.
function finish(entries: Entry[], after: KubeObject, t: ResourceType) {
  const present = new Set([
    ...leaves(after, t).keys(),
    ...(t.statusSubresource ? leaves(after, t, 'status').keys() : []),
  ]);
  for (const e of entries)
    for (const p of [...e.paths]) if (!present.has(p)) e.paths.delete(p);
  return serialize(entries);
}

function getPath(obj: unknown, p: FieldPath): unknown {
  let cur = obj;
  for (const seg of p) cur = isObject(cur) ? cur[seg] : undefined;
  return cur;
}

function deletePath(obj: unknown, p: FieldPath) {
  let cur = obj;
  for (const seg of p.slice(0, -1)) cur = isObject(cur) ? cur[seg] : undefined;
  if (isObject(cur)) delete cur[p[p.length - 1]];
}

// Objects merge, everything else (lists included) replaces; null removes.
function mergeInto(
  target: Record<string, unknown>,
  config: Record<string, unknown>,
) {
  for (const [k, v] of Object.entries(config)) {
    if (v === null) delete target[k];
    else if (isObject(v) && isObject(target[k]))
      mergeInto(target[k] as Record<string, unknown>, v);
    else target[k] = clone(v);
  }
}

/**
 * Server-side apply of `config` by `manager` onto `existing` (undefined when
 * creating). Throws a 409 Conflict naming the other managers when they own a
 * field whose value would change, unless `force` is set (then ownership moves).
 * Fields this manager applied before and omits now are removed unless another
 * manager also owns them.
 */
export function applyConfig(
  existing: KubeObject | undefined,
  config: KubeObject,
  manager: string,
  force: boolean,
  t: ResourceType,
  subresource: string | undefined,
  now: string,
): KubeObject {
  const entries = parse(existing);
  const applied = leaves(config, t, subresource);
  const next = clone(existing ?? {}) as Record<string, unknown>;
  const mine = entries.find(
    e =>
      e.manager === manager &&
      e.operation === 'Apply' &&
      e.subresource === subresource,
  );
  const others = entries.filter(e => e !== mine);

  // Fields dropped from this manager's config are removed unless shared.
  for (const p of mine?.paths ?? []) {
    const stillApplied = [...applied.keys()].some(a => overlaps(a, p));
    const shared = others.some(e => [...e.paths].some(q => overlaps(p, q)));
    if (!stillApplied && !shared) deletePath(next, pathOf(p));
  }
  const cfg = clone(config) as Record<string, unknown>;
  if (isObject(cfg.metadata)) {
    const { labels, annotations, finalizers, ownerReferences } = cfg.metadata;
    cfg.metadata = { labels, annotations, finalizers, ownerReferences };
    for (const k of Object.keys(cfg.metadata as object)) {
      if ((cfg.metadata as Record<string, unknown>)[k] === undefined)
        delete (cfg.metadata as Record<string, unknown>)[k];
    }
  }
  if (subresource === 'status') {
    if (cfg.status !== undefined) mergeInto(next, { status: cfg.status });
  } else {
    if (t.statusSubresource) delete cfg.status;
    delete cfg.apiVersion;
    delete cfg.kind;
    mergeInto(next, cfg);
  }

  const conflicts: { manager: string; field: string }[] = [];
  for (const e of others) {
    for (const q of e.paths) {
      if (![...applied.keys()].some(a => overlaps(a, q))) continue;
      const qp = pathOf(q);
      if (!deepEqual(getPath(existing, qp), getPath(next, qp))) {
        conflicts.push({ manager: e.manager, field: `.${qp.join('.')}` });
      }
    }
  }
  if (conflicts.length > 0 && !force) {
    const managers = [...new Set(conflicts.map(c => c.manager))];
    const msg =
      conflicts.length === 1
        ? `Apply failed with 1 conflict: conflict with "${conflicts[0].manager}": ${conflicts[0].field}`
        : `Apply failed with ${conflicts.length} conflicts: ${managers
            .map(
              m =>
                `conflicts with "${m}":\n${conflicts
                  .filter(c => c.manager === m)
                  .map(c => `- ${c.field}`)
                  .join('\n')}`,
            )
            .join('\n')}`;
    // Apply conflicts carry the raw message and one cause per field (no name/kind).
    const err = new KubeApiError(409, 'Conflict', msg, {
      causes: conflicts.map(c => ({
        reason: 'FieldManagerConflict',
        message: `conflict with "${c.manager}"`,
        field: c.field,
      })),
    });
    throw err;
  }
  for (const e of others) {
    for (const p of [...e.paths]) {
      if (
        [...applied.keys()].some(a => overlaps(a, p)) &&
        conflicts.some(c => c.field === `.${pathOf(p).join('.')}`)
      ) {
        e.paths.delete(p);
      }
    }
  }
  const own = entryFor(entries, manager, 'Apply', subresource, t, now);
  own.paths = new Set(applied.keys());
  const result = next as KubeObject;
  result.metadata = {
    ...(result.metadata ?? {}),
    managedFields: finish(entries, result, t),
  };
  return result;
}

/** Returns a copy of `after` with managedFields recomputed for an update by `manager`. */
export function withUpdateOwnership(
  before: KubeObject | undefined,
  after: KubeObject,
  manager: string,
  t: ResourceType,
  subresource: string | undefined,
  now: string,
): KubeObject {
  const managedFields = recordUpdate(
    before,
    after,
    manager,
    t,
    subresource,
    now,
  );
  return { ...after, metadata: { ...after.metadata, managedFields } };
}
