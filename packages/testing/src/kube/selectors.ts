import { badRequest } from './status';
import { KubeObject, isObject } from './types';

type Op = 'exists' | '!' | '=' | '!=' | 'in' | 'notin' | 'gt' | 'lt';

interface Requirement {
  key: string;
  op: Op;
  values: string[];
}

/** A compiled selector: a predicate over objects. */
export type Selector = (obj: KubeObject) => boolean;

const matchAll: Selector = () => true;

/**
 * Parses a label selector with the grammar of `labels.Parse` in apimachinery:
 * `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, `a>1`, `a<1`.
 */
export function parseLabelSelector(input: string | undefined): Selector {
  if (!input || !input.trim()) return matchAll;
  const reqs = splitTopLevel(input).map(parseRequirement);
  return obj => {
    const labels = obj.metadata?.labels ?? {};
    return reqs.every(r => matches(r, labels[r.key]));
  };
}

// Commas inside `in (...)` do not separate requirements.
function splitTopLevel(input: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of input) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  parts.push(cur);
  return parts.map(p => p.trim());
}

const KEY =
  /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;

function parseRequirement(raw: string): Requirement {
  const fail = (why: string) =>
    badRequest(`unable to parse requirement: ${why}: "${raw}"`);
  if (!raw) throw fail("found '', expected: identifier");
  let m = /^!\s*(\S+)$/.exec(raw);
  if (m) return checkKey({ key: m[1], op: '!', values: [] }, fail);
  m = /^(\S+?)\s+(in|notin)\s*\((.*)\)$/.exec(raw);
  if (m) {
    const values = m[3]
      .split(',')
      .map(v => v.trim())
      .filter(v => v !== '');
    return checkKey({ key: m[1], op: m[2] as Op, values }, fail);
  }
  m = /^([^=!<>\s]+)\s*(==|=|!=|<|>)\s*(\S*)$/.exec(raw);
  if (m) {
    const ops: Record<string, Op> = { '!=': '!=', '<': 'lt', '>': 'gt' };
    const op: Op = ops[m[2]] ?? '=';
    return checkKey({ key: m[1], op, values: [m[3]] }, fail);
  }
  if (/^\S+$/.test(raw))
    return checkKey({ key: raw, op: 'exists', values: [] }, fail);
  throw fail('found unexpected token');
}

function checkKey(r: Requirement, fail: (why: string) => Error): Requirement {
  if (!KEY.test(r.key)) throw fail(`invalid label key "${r.key}"`);
  if ((r.op === 'gt' || r.op === 'lt') && Number.isNaN(Number(r.values[0]))) {
    throw fail(`for 'gt', 'lt' operators, the value must be an integer`);
  }
  return r;
}

function matches(r: Requirement, value: string | undefined): boolean {
  switch (r.op) {
    case 'exists':
      return value !== undefined;
    case '!':
      return value === undefined;
    case '=':
      return value === r.values[0];
    case '!=':
      return value !== r.values[0];
    case 'in':
      return value !== undefined && r.values.includes(value);
    case 'notin':
      return value === undefined || !r.values.includes(value);
    case 'gt':
      return value !== undefined && Number(value) > Number(r.values[0]);
    case 'lt':
      return value !== undefined && Number(value) < Number(r.values[0]);
    default:
      return false;
  }
}

/**
 * Parses a field selector (`a=b`, `a==b`, `a!=b`, comma-separated). Only
 * `metadata.name`, `metadata.namespace` and the kind's declared field labels
 * are accepted, like the real server which rejects other fields with 400.
 */
export function parseFieldSelector(
  input: string | undefined,
  extraFields: string[] = [],
): Selector {
  if (!input || !input.trim()) return matchAll;
  const allowed = new Set([
    'metadata.name',
    'metadata.namespace',
    ...extraFields,
  ]);
  const reqs = input.split(',').map(raw => {
    const m = /^\s*([^=!\s]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(raw);
    if (!m)
      throw badRequest(
        `invalid selector: '${input}'; can't understand '${raw}'`,
      );
    if (!allowed.has(m[1])) {
      throw badRequest(`field label not supported: ${m[1]}`);
    }
    return { path: m[1].split('.'), negate: m[2] === '!=', value: m[3] };
  });
  return obj =>
    reqs.every(r => {
      let cur: unknown = obj;
      for (const p of r.path) cur = isObject(cur) ? cur[p] : undefined;
      // Unset fields compare as the empty string, as in fields.Set.
      const actual = cur === undefined || cur === null ? '' : String(cur);
      return r.negate ? actual !== r.value : actual === r.value;
    });
}
