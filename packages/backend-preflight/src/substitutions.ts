import { parseDocument } from 'yaml';

/** A `${VAR}` substitution in a config file whose variable is not set. */
export interface MissingSubstitution {
  /** Dotted config key, e.g. `auth.providers.github.production.clientSecret`. */
  key: string;
  /** The environment variable that is not set. */
  variable: string;
  /** The config file that asks for it. */
  file: string;
}

// The same syntax Backstage's config loader substitutes; `$${VAR}` escapes it.
const substitution = /(?<!\$)\$\{([^{}]+)\}/g;

/**
 * Finds every `${VAR}` in a config file's text whose variable is unset or empty.
 * Backstage would substitute `undefined` for them and silently fall back to the
 * value of an earlier config file (SQLite instead of PostgreSQL, say).
 */
export function findMissingSubstitutions(
  file: string,
  text: string,
  env: Record<string, string | undefined>,
): MissingSubstitution[] {
  const missing: MissingSubstitution[] = [];
  const visit = (value: unknown, path: string[]) => {
    if (typeof value === 'string') {
      for (const match of value.matchAll(substitution)) {
        const variable = match[1].trim();
        if (!env[variable]?.trim()) {
          missing.push({ key: path.join('.'), variable, file });
        }
      }
    } else if (Array.isArray(value)) {
      value.forEach((item, index) =>
        visit(item, [
          ...path.slice(0, -1),
          `${path[path.length - 1]}[${index}]`,
        ]),
      );
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        visit(v, [...path, k]);
      }
    }
  };
  visit(parseDocument(text).toJS(), []);
  return missing;
}
