import { KubeObject, PrinterColumn, ResourceType, isObject } from './types';

/** Whether the client asked for a `meta.k8s.io` Table (as `kubectl get` does). */
export function wantsTable(accept: string | undefined): boolean {
  return !!accept && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);
}

// kubectl's duration.HumanDuration, abridged.
export function age(timestamp: string | undefined, now = Date.now()): string {
  if (!timestamp) return '<unknown>';
  const s = Math.max(0, Math.floor((now - Date.parse(timestamp)) / 1000));
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  const d = Math.floor(h / 24);
  if (s < 120) return `${s}s`;
  if (m < 10) return s % 60 ? `${m}m${s % 60}s` : `${m}m`;
  if (h < 3) return `${m}m`;
  if (h < 8) return m % 60 ? `${h}h${m % 60}m` : `${h}h`;
  if (h < 48) return `${h}h`;
  if (d < 8) return h % 24 ? `${d}d${h % 24}h` : `${d}d`;
  return `${d}d`;
}

/** Evaluates the JSONPath subset CRD printer columns use: `.a.b`, `[0]`, `[?(@.k=="v")]`. */
export function evalJsonPath(obj: unknown, path: string): unknown {
  const tokens =
    path
      .replace(/^\{?\.?/, '')
      .replace(/\}$/, '')
      .match(/\[\?\(@\.[^)]*\)\]|\[\d+\]|[^.[\]]+/g) ?? [];
  let cur: unknown = obj;
  for (const tok of tokens) {
    if (cur === undefined) return undefined;
    const filter = /^\[\?\(@\.([\w.-]+)\s*==\s*["']([^"']*)["']\)\]$/.exec(tok);
    if (filter) {
      cur = Array.isArray(cur)
        ? cur.find(e => String(evalJsonPath(e, filter[1])) === filter[2])
        : undefined;
    } else if (/^\[\d+\]$/.test(tok)) {
      cur = Array.isArray(cur) ? cur[Number(tok.slice(1, -1))] : undefined;
    } else {
      cur = isObject(cur) ? cur[tok] : undefined;
    }
  }
  return cur;
}

const partial = (o: KubeObject) => ({
  kind: 'PartialObjectMetadata',
  apiVersion: 'meta.k8s.io/v1',
  metadata: o.metadata,
});

/** Renders objects as a server-side Table with Name, printer columns and Age. */
export function toTable(
  t: ResourceType,
  list: { items: KubeObject[]; metadata: Record<string, unknown> },
) {
  const extra = (t.printerColumns ?? []).filter(
    c => c.name.toLowerCase() !== 'name',
  );
  const builtin: PrinterColumn[] =
    t.kind === 'Namespace'
      ? [{ name: 'Status', type: 'string', jsonPath: '.status.phase' }]
      : [];
  const columns = [...builtin, ...extra];
  const hasAge = columns.some(c => c.name.toLowerCase() === 'age');
  const columnDefinitions = [
    {
      name: 'Name',
      type: 'string',
      format: 'name',
      description: 'Name must be unique within a namespace.',
      priority: 0,
    },
    ...columns.map(c => ({
      name: c.name,
      type: c.type === 'date' ? 'string' : c.type,
      format: c.format ?? '',
      description: c.description ?? '',
      priority: c.priority ?? 0,
    })),
    ...(hasAge
      ? []
      : [
          {
            name: 'Age',
            type: 'string',
            format: '',
            description: 'CreationTimestamp',
            priority: 0,
          },
        ]),
  ];
  const rows = list.items.map(o => ({
    cells: [
      o.metadata?.name,
      ...columns.map(c => {
        const v = evalJsonPath(o, c.jsonPath);
        if (c.type === 'date')
          return age(typeof v === 'string' ? v : undefined);
        return v === undefined ? null : v;
      }),
      ...(hasAge ? [] : [age(o.metadata?.creationTimestamp)]),
    ],
    object: partial(o),
  }));
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: list.metadata,
    columnDefinitions,
    rows,
  };
}
