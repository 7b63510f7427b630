import type { JsonObject } from '@pipeline-portal/plugin-integrated-services-common';
import type { RJSFSchema } from '@rjsf/utils';
import validator from '@rjsf/validator-ajv8';

const isObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The spec without the optional sections the user never filled in. The
 * generated form fills every section with its defaults (PagerDuty's
 * `severity: critical`), which would make an untouched optional section
 * fail its own `required` fields.
 */
export function pruneUntouched(
  schema: RJSFSchema,
  data: JsonObject,
): JsonObject {
  const properties = (schema.properties ?? {}) as Record<string, RJSFSchema>;
  const required = new Set(schema.required ?? []);
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(data)) {
    const sub = properties[key];
    if (value === undefined) continue;
    if (!sub || !isObject(value) || sub.type !== 'object') {
      out[key] = value;
      continue;
    }
    const pruned = pruneUntouched(sub, value);
    if (!required.has(key) && onlyDefaults(sub, pruned)) continue;
    out[key] = pruned;
  }
  return out;
}

/** True when every field set equals its schema default. */
function onlyDefaults(schema: RJSFSchema, data: JsonObject): boolean {
  const properties = (schema.properties ?? {}) as Record<string, RJSFSchema>;
  return Object.entries(data).every(([key, value]) => {
    const sub = properties[key];
    if (!sub) return false;
    if (isObject(value) && sub.type === 'object') {
      return onlyDefaults(sub, value);
    }
    return (
      sub.default !== undefined &&
      JSON.stringify(sub.default) === JSON.stringify(value)
    );
  });
}

/** Whether the spec passes its schema, as the generated form checks it. */
export function specValid(schema: RJSFSchema, data: JsonObject): boolean {
  return validator.validateFormData(data, schema).errors.length === 0;
}
