import type { ErrorSchema } from '@rjsf/utils';
import { errorMessage, statusCodeOf } from './util';

/** One field the server refused, at a JSON pointer into the request body. */
export interface PointerIssue {
  pointer: string;
  message: string;
}

/**
 * The fields a 400 names. The backend lists them in its message as
 * `invalid request: /spec/retention must match ...; /overrides/x ...`.
 */
export function pointerIssues(error: unknown): PointerIssue[] {
  if (statusCodeOf(error) !== 400) {
    return [];
  }
  const list = errorMessage(error).replace(/^[^/]*?:\s*(?=\/)/, '');
  return list.split('; ').flatMap(part => {
    const match = /^(\/[^\s:]*):?\s+([\s\S]*)$/.exec(part.trim());
    return match ? [{ pointer: match[1], message: match[2] }] : [];
  });
}

const unescape = (token: string) =>
  token.replace(/~1/g, '/').replace(/~0/g, '~');

/** The tokens of a pointer below `prefix` (`/spec`), or undefined if it is not below it. */
export function pointerBelow(
  pointer: string,
  prefix: string,
): string[] | undefined {
  if (pointer === prefix) return [];
  if (!pointer.startsWith(`${prefix}/`)) return undefined;
  return pointer
    .slice(prefix.length + 1)
    .split('/')
    .map(unescape);
}

/** Issues under `/spec` as the error schema the generated form shows beside each field. */
export function specErrorSchema(issues: PointerIssue[]): ErrorSchema {
  const root: Record<string, any> = {};
  for (const issue of issues) {
    const tokens = pointerBelow(issue.pointer, '/spec');
    if (!tokens) continue;
    let node = root;
    for (const token of tokens) {
      node[token] = node[token] ?? {};
      node = node[token];
    }
    node.__errors = [...(node.__errors ?? []), issue.message];
  }
  return root as ErrorSchema;
}

/** Issues grouped by where the form shows them; the rest go in the form's alert. */
export function groupIssues(issues: PointerIssue[]) {
  const spec = issues.filter(i => pointerBelow(i.pointer, '/spec'));
  const overrides = issues.filter(i => pointerBelow(i.pointer, '/overrides'));
  const version = issues.filter(i => i.pointer === '/version');
  const other = issues.filter(
    i => !spec.includes(i) && !overrides.includes(i) && !version.includes(i),
  );
  return { spec, overrides, version, other };
}
