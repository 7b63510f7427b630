import { KubeApiError, badRequest } from './status';
import { clone, deepEqual, isObject } from './types';

/** RFC 7386 JSON merge patch: objects merge recursively, `null` deletes, arrays replace. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

interface JsonPatchOp {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

const patchError = (message: string) =>
  new KubeApiError(422, 'Invalid', message);

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) {
    throw patchError(
      `the server rejected our request due to an error in our request: invalid JSON pointer "${pointer}"`,
    );
  }
  return pointer
    .slice(1)
    .split('/')
    .map(s => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function resolveParent(doc: unknown, tokens: string[], op: string) {
  let cur: unknown = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isObject(cur)) cur = cur[t];
    else cur = undefined;
    if (cur === undefined) {
      throw patchError(
        `the server rejected our request due to an error in our request: ${op} operation does not apply: doc is missing path: "/${tokens.join(
          '/',
        )}": missing value`,
      );
    }
  }
  return cur;
}

function getAt(doc: unknown, tokens: string[], op: string): unknown {
  if (tokens.length === 0) return doc;
  const parent = resolveParent(doc, tokens, op);
  const last = tokens[tokens.length - 1];
  let v: unknown;
  if (Array.isArray(parent)) v = parent[Number(last)];
  else if (isObject(parent)) v = parent[last];
  if (v === undefined) {
    throw patchError(
      `the server rejected our request due to an error in our request: ${op} operation does not apply: doc is missing path: "/${tokens.join(
        '/',
      )}": missing value`,
    );
  }
  return v;
}

function remove(doc: unknown, tokens: string[], op: string): unknown {
  const value = getAt(doc, tokens, op);
  const parent = resolveParent(doc, tokens, op);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else delete (parent as Record<string, unknown>)[last];
  return value;
}

function add(
  doc: unknown,
  tokens: string[],
  value: unknown,
  op: string,
): unknown {
  if (tokens.length === 0) return value;
  const parent = resolveParent(doc, tokens, op);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) {
    const idx = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(idx) || idx < 0 || idx > parent.length) {
      throw patchError(
        `the server rejected our request due to an error in our request: ${op} operation does not apply: index out of bounds: ${last}`,
      );
    }
    parent.splice(idx, 0, value);
  } else if (isObject(parent)) {
    parent[last] = value;
  } else {
    throw patchError(
      `the server rejected our request due to an error in our request: ${op} operation does not apply: doc is missing path: "/${tokens.join(
        '/',
      )}": missing value`,
    );
  }
  return doc;
}

/** RFC 6902 JSON patch (add, remove, replace, move, copy, test). */
export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) {
    throw badRequest(
      'json: cannot unmarshal object into Go value of type jsonpatch.Patch',
    );
  }
  let doc = clone(target);
  for (const raw of ops as JsonPatchOp[]) {
    const tokens = parsePointer(String(raw.path ?? ''));
    switch (raw.op) {
      case 'add':
        doc = add(doc, tokens, clone(raw.value), 'add');
        break;
      case 'remove':
        remove(doc, tokens, 'remove');
        break;
      case 'replace':
        getAt(doc, tokens, 'replace');
        if (tokens.length === 0) doc = clone(raw.value);
        else {
          remove(doc, tokens, 'replace');
          doc = add(doc, tokens, clone(raw.value), 'replace');
        }
        break;
      case 'move': {
        const from = parsePointer(String(raw.from ?? ''));
        const v = remove(doc, from, 'move');
        doc = add(doc, tokens, v, 'move');
        break;
      }
      case 'copy': {
        const from = parsePointer(String(raw.from ?? ''));
        doc = add(doc, tokens, clone(getAt(doc, from, 'copy')), 'copy');
        break;
      }
      case 'test':
        if (!deepEqual(getAt(doc, tokens, 'test'), raw.value)) {
          throw patchError(
            `the server rejected our request due to an error in our request: testing value ${raw.path} failed: test failed`,
          );
        }
        break;
      default:
        throw badRequest(`Unexpected kind: ${raw.op}`);
    }
  }
  return doc;
}
