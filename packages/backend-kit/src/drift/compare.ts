/**
 * Field-by-field comparison of a rendered object (what the portal wants)
 * with the object read back from the cluster. The rendered object
 * is the desired subset: fields the API server, its webhooks or the engines
 * add are not drift, only rendered fields that are absent or differ.
 */
/**
 * How to read an object's fields: which an engine owns, which lists are
 * keyed, which values a webhook respells.
 */
export interface DriftRules {
  /**
   * Rendered fields an engine legitimately changes once the object exists
   * (replicas an autoscaler owns): never drift, and a correction keeps their
   * live values.
   */
  engineOwned?: string[][];
  /**
   * Lists the CRD keys by fields of their items (x-kubernetes-list-type:
   * map): items others added are theirs, not drift.
   */
  keyedLists?: Array<{ path: string[]; keys: string[] }>;
  /** Fields an admission webhook rewrites into an equivalent spelling. */
  normalized?: Array<{ path: string[]; normalize(value: unknown): unknown }>;
}

/** A path into an object, as shown to users: map keys, list indexes, keyed items. */
export type FieldPath = Array<string | number | ListItemKey>;

/** An item of a keyed list, by the values of its keys, e.g. {key, effect}. */
export interface ListItemKey {
  item: Record<string, unknown>;
}

export interface FieldDrift {
  path: FieldPath;
  /** Undefined when the live object lacks the field. */
  live: unknown;
  desired: unknown;
}

type Json = Record<string, unknown>;

const isMap = (v: unknown): v is Json =>
  !!v && typeof v === 'object' && !Array.isArray(v);
const isAbsent = (v: unknown) => v === undefined || v === null;
const isEmptyCollection = (v: unknown) =>
  (Array.isArray(v) && v.length === 0) || (isMap(v) && !Object.keys(v).length);

const samePath = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((s, i) => s === b[i]);

/**
 * Where `live` departs from `desired`. Only `metadata.labels` and
 * `metadata.annotations` of the metadata count (the rest is identity or the
 * server's), and never `status`.
 */
export function compareObject(
  desired: Json,
  live: Json,
  rules: DriftRules = {},
): FieldDrift[] {
  const out: FieldDrift[] = [];
  const {
    metadata,
    status: _status,
    apiVersion: _a,
    kind: _k,
    ...body
  } = desired;
  const liveMeta = isMap(live.metadata) ? live.metadata : {};
  for (const key of ['labels', 'annotations']) {
    const want = isMap(metadata) ? metadata[key] : undefined;
    if (want !== undefined) {
      compare(want, liveMeta[key], ['metadata', key], rules, out, [
        'metadata',
        key,
      ]);
    }
  }
  compare(body, live, [], rules, out, []);
  return out;
}

/**
 * `keyPath` is the path of map keys from the root, null once a list has been
 * crossed: rules (engine-owned fields, keyed lists, normalizations) are
 * declared on such paths.
 */
function compare(
  desired: unknown,
  live: unknown,
  path: FieldPath,
  rules: DriftRules,
  out: FieldDrift[],
  keyPath: string[] | null,
) {
  if (keyPath && rules.engineOwned?.some(p => samePath(p, keyPath))) return;

  // An empty map or list asks for nothing: absent, null or empty all match
  // (servers and typed controllers drop empty collections).
  if (isEmptyCollection(desired) && (isAbsent(live) || isEmptyCollection(live)))
    return;

  if (isMap(desired)) {
    if (!isAbsent(live) && !isMap(live)) {
      out.push({ path, live, desired });
      return;
    }
    const liveMap = isMap(live) ? live : {};
    for (const [key, value] of Object.entries(desired)) {
      compare(
        value,
        liveMap[key],
        [...path, key],
        rules,
        out,
        keyPath && [...keyPath, key],
      );
    }
    return;
  }

  if (Array.isArray(desired)) {
    const keyed =
      keyPath && rules.keyedLists?.find(l => samePath(l.path, keyPath));
    if (keyed && (isAbsent(live) || Array.isArray(live))) {
      compareKeyedList(desired, live ?? [], keyed.keys, path, rules, out);
      return;
    }
    // Lists are atomic (the CRD default): same length, item by item.
    if (!Array.isArray(live) || live.length !== desired.length) {
      out.push({ path, live, desired });
      return;
    }
    desired.forEach((item, i) =>
      compare(item, live[i], [...path, i], rules, out, null),
    );
    return;
  }

  const normalize =
    (keyPath &&
      rules.normalized?.find(n => samePath(n.path, keyPath))?.normalize) ??
    ((v: unknown) => v);
  if (normalize(desired) !== normalize(live)) out.push({ path, live, desired });
}

/**
 * A list the schema keys by some of its items' fields
 * (x-kubernetes-list-type: map): each rendered item must be there, matched
 * by its keys. Items others added are theirs: server-side apply would not
 * remove them, so they are not drift.
 */
function compareKeyedList(
  desired: unknown[],
  live: unknown[],
  keys: string[],
  path: FieldPath,
  rules: DriftRules,
  out: FieldDrift[],
) {
  for (const item of desired) {
    const id = Object.fromEntries(
      keys.map(k => [k, isMap(item) ? item[k] : undefined]),
    );
    const at = [...path, { item: id }];
    const match = live.find(l => isMap(l) && keys.every(k => l[k] === id[k]));
    if (match === undefined)
      out.push({ path: at, live: undefined, desired: item });
    else compare(item, match, at, rules, out, null);
  }
}

/** `spec.template.spec.taints[key=dedicated,effect=NoExecute].value`, `metadata.labels["a/b"]`. */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'object')
      out += `[${Object.entries(seg.item)
        .map(([k, v]) => `${k}=${String(v ?? '')}`)
        .join(',')}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** A value as shown in a message: bare simple strings, JSON otherwise, cut short. */
export function formatValue(value: unknown, max = 60): string {
  if (value === undefined) return 'absent';
  const text =
    typeof value === 'string' && /^[\w.:/@+-]+$/.test(value)
      ? value
      : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
