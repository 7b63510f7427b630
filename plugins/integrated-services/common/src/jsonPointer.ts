/** RFC 6901 JSON pointers over plain JSON data. */

export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) {
    throw new TypeError(
      `"${pointer}" is not a JSON pointer: it must start with "/"`,
    );
  }
  return pointer
    .slice(1)
    .split('/')
    .map(token => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function formatPointer(tokens: Array<string | number>): string {
  return tokens
    .map(token => `/${String(token).replace(/~/g, '~0').replace(/\//g, '~1')}`)
    .join('');
}

export function isPlainObject(
  value: unknown,
): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at `pointer`, or undefined when any part of the path is missing. */
export function getPointer(document: unknown, pointer: string): unknown {
  let current: unknown = document;
  for (const token of parsePointer(pointer)) {
    if (Array.isArray(current) && /^(0|[1-9]\d*)$/.test(token)) {
      current = current[Number(token)];
    } else if (isPlainObject(current) && Object.hasOwn(current, token)) {
      current = current[token];
    } else {
      return undefined;
    }
  }
  return current;
}

/** Sets `value` at `pointer` in `document` (mutated), creating objects on the way. */
export function setPointer(
  document: Record<string, unknown>,
  pointer: string,
  value: unknown,
): void {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) {
    throw new TypeError('cannot set the document root');
  }
  let current: Record<string, unknown> = document;
  for (const token of tokens.slice(0, -1)) {
    const next = current[token];
    if (!isPlainObject(next)) {
      current[token] = {};
    }
    current = current[token] as Record<string, unknown>;
  }
  current[tokens[tokens.length - 1]] = value;
}
