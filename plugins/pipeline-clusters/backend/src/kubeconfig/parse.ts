/**
 * Reading an imported kubeconfig: the document, the chosen context and the
 * cluster and user entries it names. Refusals name the field at fault.
 */
import { InputError } from '@backstage/errors';
import { parse, YAMLParseError } from 'yaml';

/**
 * The largest kubeconfig accepted. Real ones with embedded certificates stay
 * well below; the cap bounds parsing whatever the caller's body limit.
 */
export const MAX_KUBECONFIG_BYTES = 256 * 1024;

export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function refuse(field: string, why: string): never {
  throw new InputError(`${field}: ${why}`);
}

export interface Named {
  index: number;
  body: Obj;
}

/** Finds the entry called `name` in a named list, refusing duplicates. */
export function findNamed(
  list: unknown,
  listName: string,
  bodyKey: string,
  name: string,
  from: string,
): Named {
  const entries = Array.isArray(list) ? list : [];
  const matches = entries
    .map((entry, index) => ({ entry, index }))
    .filter(({ entry }) => isObj(entry) && entry.name === name);
  if (!matches.length) {
    return refuse(from, `"${name}" is not defined in ${listName}`);
  }
  if (matches.length > 1) {
    return refuse(
      `${listName}[${matches[1].index}].name`,
      `"${name}" is defined more than once`,
    );
  }
  const { entry, index } = matches[0];
  const body = (entry as Obj)[bodyKey];
  if (!isObj(body)) {
    return refuse(`${listName}[${index}].${bodyKey}`, 'must be a mapping');
  }
  return { index, body };
}

/**
 * Parses the text as YAML (or JSON) into a Config mapping. Size is checked
 * first, so no caller depends on a body limit in front of it.
 */
export function parseDocument(text: string): Obj {
  if (typeof text !== 'string' || !text.trim()) {
    return refuse('kubeconfig', 'is empty');
  }
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_KUBECONFIG_BYTES) {
    return refuse(
      'kubeconfig',
      `is ${bytes} bytes, more than the ${
        MAX_KUBECONFIG_BYTES / 1024
      } KiB allowed`,
    );
  }
  let doc: unknown;
  try {
    // YAML 1.2 is a superset of JSON; aliases are capped against expansion bombs.
    doc = parse(text, { maxAliasCount: 50 });
  } catch (error) {
    // The parser's message quotes the offending line: report its position only.
    const pos =
      error instanceof YAMLParseError && error.linePos
        ? ` (line ${error.linePos[0].line}, column ${error.linePos[0].col})`
        : '';
    return refuse('kubeconfig', `is not valid YAML or JSON${pos}`);
  }
  if (!isObj(doc)) return refuse('kubeconfig', 'must be a mapping');
  if (doc.kind !== undefined && doc.kind !== 'Config') {
    return refuse('kind', 'must be Config');
  }
  return doc;
}

function chooseContext(doc: Obj): { name: string; index: number; body: Obj } {
  const contexts = doc.contexts;
  if (contexts !== undefined && contexts !== null && !Array.isArray(contexts)) {
    return refuse('contexts', 'must be a list');
  }
  const list = (contexts ?? []) as unknown[];
  const current = doc['current-context'];
  let name: string;
  if (typeof current === 'string' && current) {
    name = current;
  } else if (current !== undefined && current !== null && current !== '') {
    return refuse('current-context', 'must be a string');
  } else if (list.length === 1 && isObj(list[0])) {
    name = String(list[0].name ?? '');
  } else if (!list.length) {
    return refuse('contexts', 'no context is defined');
  } else {
    return refuse(
      'current-context',
      'is required when the kubeconfig defines several contexts',
    );
  }
  const { index, body } = findNamed(
    list,
    'contexts',
    'context',
    name,
    typeof current === 'string' && current
      ? 'current-context'
      : 'contexts[0].name',
  );
  return { name, index, body };
}

/** The entries the chosen context names, with where each stands in the file. */
export interface SelectedEntries {
  context: string;
  cluster: Obj;
  clusterAt: string;
  user: Obj;
  userAt: string;
}

/** Picks the context to use and the cluster and user entries it names. */
export function selectEntries(doc: Obj): SelectedEntries {
  const context = chooseContext(doc);
  const contextAt = `contexts[${context.index}].context`;
  const entry = (key: 'cluster' | 'user', list: 'clusters' | 'users') => {
    const name = context.body[key];
    if (typeof name !== 'string' || !name) {
      refuse(`${contextAt}.${key}`, 'is required');
    }
    const found = findNamed(
      doc[list],
      list,
      key,
      name as string,
      `${contextAt}.${key}`,
    );
    return { body: found.body, at: `${list}[${found.index}].${key}` };
  };
  const cluster = entry('cluster', 'clusters');
  const user = entry('user', 'users');
  return {
    context: context.name,
    cluster: cluster.body,
    clusterAt: cluster.at,
    user: user.body,
    userAt: user.at,
  };
}
