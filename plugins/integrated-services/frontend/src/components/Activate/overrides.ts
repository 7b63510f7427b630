import type { JsonObject } from '@pipeline-portal/plugin-integrated-services-common';
import { parseDocument, stringify } from 'yaml';

export type ParsedOverrides =
  | { ok: true; value: JsonObject }
  | { ok: false; error: string };

/** The overrides editor's text as chart values: a YAML mapping, or empty. */
export function parseOverrides(text: string): ParsedOverrides {
  if (!text.trim()) {
    return { ok: true, value: {} };
  }
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length) {
    const [first] = doc.errors;
    const where = first.linePos?.[0];
    return {
      ok: false,
      error: where
        ? `line ${where.line}, column ${where.col}: ${
            first.message.split('\n')[0]
          }`
        : first.message,
    };
  }
  const value = doc.toJS();
  if (value === null || value === undefined) {
    return { ok: true, value: {} };
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    return {
      ok: false,
      error: 'overrides must be a mapping of chart values (key: value)',
    };
  }
  return { ok: true, value: value as JsonObject };
}

/** Overrides as the editor shows them: YAML, empty for none. */
export function overridesText(overrides: JsonObject | undefined): string {
  return overrides && Object.keys(overrides).length ? stringify(overrides) : '';
}
