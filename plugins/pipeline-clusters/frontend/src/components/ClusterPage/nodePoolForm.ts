import {
  NodePool,
  nodePoolSchema,
  patchClusterSchema,
  TaintEffect,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { FieldErrors, FormFailure, Validated } from '../forms/useFormSubmit';
import { errorMessage, statusCodeOf, toNumber } from '../util';

export const TAINT_EFFECTS: readonly TaintEffect[] = [
  'NoSchedule',
  'PreferNoSchedule',
  'NoExecute',
];

/** The API's limit on node pools per cluster. */
export const MAX_NODE_POOLS = 20;

export interface LabelRow {
  key: string;
  value: string;
}

export interface TaintRow {
  key: string;
  value: string;
  effect: TaintEffect;
}

/** A node pool as its form holds it: text as typed, labels and taints as rows. */
export interface NodePoolForm {
  name: string;
  machineType: string;
  minSize: string;
  desiredSize: string;
  maxSize: string;
  labels: LabelRow[];
  taints: TaintRow[];
}

export const emptyLabel = (): LabelRow => ({ key: '', value: '' });
export const emptyTaint = (): TaintRow => ({
  key: '',
  value: '',
  effect: 'NoSchedule',
});

export const newPoolForm = (): NodePoolForm => ({
  name: '',
  machineType: '',
  minSize: '1',
  desiredSize: '1',
  maxSize: '3',
  labels: [],
  taints: [],
});

export function poolForm(pool: NodePool): NodePoolForm {
  return {
    name: pool.name,
    machineType: pool.machineType,
    minSize: String(pool.minSize),
    desiredSize: String(pool.desiredSize),
    maxSize: String(pool.maxSize),
    labels: Object.entries(pool.labels).map(([key, value]) => ({
      key,
      value,
    })),
    taints: pool.taints.map(t => ({
      key: t.key,
      value: t.value ?? '',
      effect: t.effect,
    })),
  };
}

const isBlank = (row: { key: string; value: string }) =>
  !row.key.trim() && !row.value.trim();

/** `key=value` as kubectl prints a label; `key=value:Effect` a taint. */
export const formatLabel = (key: string, value: string) =>
  value ? `${key}=${value}` : key;
export const formatTaint = (t: NodePool['taints'][number]) =>
  `${formatLabel(t.key, t.value ?? '')}:${t.effect}`;

/** The request's labels and taints, and the form row each came from. */
function rowsOf(form: NodePoolForm) {
  const errors: FieldErrors = {};
  const note = (key: string, message: string) => {
    errors[key] ??= message;
  };

  const labels: Record<string, string> = {};
  const labelRows = new Map<string, number>();
  form.labels.forEach((row, i) => {
    if (isBlank(row)) return;
    const key = row.key.trim();
    if (!key) {
      note(`labels.${i}.key`, 'a label needs a key');
    } else if (labelRows.has(key)) {
      note(`labels.${i}.key`, `duplicate label key "${key}"`);
    } else {
      labelRows.set(key, i);
      labels[key] = row.value.trim();
    }
  });

  const taints: NodePool['taints'] = [];
  const taintRows: number[] = [];
  const seen = new Set<string>();
  form.taints.forEach((row, i) => {
    if (isBlank(row)) return;
    const key = row.key.trim();
    const value = row.value.trim();
    // Kubernetes refuses a node with two taints of the same key and effect.
    if (seen.has(`${key}:${row.effect}`)) {
      note(`taints.${i}.key`, `duplicate taint "${key}" (${row.effect})`);
      return;
    }
    seen.add(`${key}:${row.effect}`);
    taintRows.push(i);
    taints.push(
      value ? { key, value, effect: row.effect } : { key, effect: row.effect },
    );
  });

  /** The form key of a path below the pool, such as `['labels', 'tier']`. */
  const fieldOf = (rest: readonly PropertyKey[], keyIssue: boolean) => {
    const [first, second, third] = rest.map(String);
    if (first === 'labels' && second !== undefined) {
      const row = labelRows.get(second);
      if (row === undefined) return 'labels';
      return `labels.${row}.${keyIssue ? 'key' : 'value'}`;
    }
    if (first === 'taints' && second !== undefined) {
      const row = taintRows[Number(second)];
      if (row === undefined) return 'taints';
      return `taints.${row}.${third ?? 'key'}`;
    }
    return first ?? '';
  };

  return { labels, taints, errors, note, fieldOf };
}

const SIZES_ONLY = { name: 'pool', machineType: 'machine' };

type SchemaIssue = {
  path: PropertyKey[];
  message: string;
  code?: string;
  issues?: ReadonlyArray<{ message: string }>;
  params?: { part?: string };
};

/**
 * The cluster's pools with the form's pool at `index` (`pools.length` for a
 * new one), checked by the schema of the PATCH route, errors keyed by form
 * field (`labels.0.key`). Rows left blank add nothing.
 */
export function poolsWithForm(
  form: NodePoolForm,
  pools: readonly NodePool[],
  index: number,
): Validated<NodePool[]> {
  const { labels, taints, errors, note, fieldOf } = rowsOf(form);
  const name = form.name.trim();
  if (pools.some((p, i) => i !== index && p.name === name)) {
    note('name', `the cluster has a node pool named "${name}" already`);
  }
  const nodePools: unknown[] = [...pools];
  nodePools[index] = {
    name,
    machineType: form.machineType.trim(),
    minSize: toNumber(form.minSize),
    desiredSize: toNumber(form.desiredSize),
    maxSize: toNumber(form.maxSize),
    labels,
    taints,
  };
  const parsed = patchClusterSchema.shape.nodePools.safeParse(nodePools);
  if (!parsed.success) {
    // zod checks sizes against each other only once every field passes:
    // check them beside neutral fields too, so all errors show at once.
    const sizes = nodePoolSchema.safeParse({
      ...SIZES_ONLY,
      minSize: toNumber(form.minSize),
      desiredSize: toNumber(form.desiredSize),
      maxSize: toNumber(form.maxSize),
    });
    const issues = [
      ...parsed.error.issues,
      ...(sizes.error?.issues.map(i => ({
        ...i,
        path: [index, ...i.path],
      })) ?? []),
    ];
    for (const issue of issues as SchemaIssue[]) {
      const [at, ...rest] = issue.path;
      if (at === index) {
        // A bad label key: the schema marks it as the key's, or zod reports
        // it on the record with the reason inside.
        const keyIssue =
          issue.code === 'invalid_key' || issue.params?.part === 'key';
        note(
          fieldOf(rest, keyIssue),
          (issue.code === 'invalid_key' && issue.issues?.[0]?.message) ||
            (keyIssue ? issue.message.replace(/^key /, '') : issue.message),
        );
      } else {
        // The list as a whole (too many pools) or another pool.
        note('', [...issue.path, issue.message].join(': '));
      }
    }
  }
  if (!parsed.success || Object.keys(errors).length) {
    return { ok: false, errors };
  }
  return { ok: true, value: parsed.data as NodePool[] };
}

/**
 * The API's 400 names each field at fault (`invalid cluster change:
 * nodePools[1].machineType: is not offered; ...`): those below the pool at
 * `index`, keyed by form field.
 */
export function serverFieldErrors(
  message: string,
  form: NodePoolForm,
  index: number,
): FieldErrors {
  const { fieldOf } = rowsOf(form);
  const errors: FieldErrors = {};
  for (const issue of message.replace(/^invalid [^:]*: /, '').split('; ')) {
    const m = /^nodePools\[(\d+)\]\.(.+?): (.+)$/.exec(issue);
    if (!m || Number(m[1]) !== index) continue;
    const [, , path, text] = m;
    const taint = /^taints\[(\d+)\](?:\.(\w+))?$/.exec(path);
    let rest: string[];
    if (path.startsWith('labels.')) {
      rest = ['labels', path.slice('labels.'.length)];
    } else if (taint) {
      rest = ['taints', taint[1], ...(taint[2] ? [taint[2]] : [])];
    } else {
      rest = path.split('.');
    }
    errors[fieldOf(rest, /label key|key in record/i.test(text))] ??= text;
  }
  return errors;
}

/** How a node pool dialog explains a refused PATCH of the form it sent. */
export function explainPoolChange(form: NodePoolForm, index: number) {
  return (error: unknown): FormFailure => {
    const status = statusCodeOf(error);
    if (status === 409) {
      return {
        alert: {
          severity: 'warning',
          text: 'The cluster changed meanwhile and was reloaded: check its node pools and submit again.',
        },
      };
    }
    const text = errorMessage(error);
    return {
      alert: { severity: 'error', text },
      errors: status === 400 ? serverFieldErrors(text, form, index) : undefined,
    };
  };
}
