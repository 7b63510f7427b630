import { getPointer, isPlainObject, setPointer } from './jsonPointer';
import { JsonObject, ServiceVersion, ValuesMappingRule } from './types';
import { applySpecDefaults } from './specValidation';

export interface MergeOptions {
  /** Concatenate arrays instead of replacing them (Helm replaces). */
  appendArrays?: boolean;
}

function clone<T>(value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value));
}

/**
 * Deep merge as Helm merges values files: objects merge key by key, everything
 * else (arrays included) is replaced by the later value; `null` removes a key.
 * Neither input is mutated.
 */
export function mergeValues(
  base: JsonObject,
  overlay: JsonObject,
  options: MergeOptions = {},
): JsonObject {
  const result: JsonObject = clone(base);
  for (const [key, value] of Object.entries(overlay)) {
    const current = result[key];
    if (value === null) {
      delete result[key];
    } else if (isPlainObject(value) && isPlainObject(current)) {
      result[key] = mergeValues(current, value, options);
    } else if (
      options.appendArrays &&
      Array.isArray(value) &&
      Array.isArray(current)
    ) {
      result[key] = [...current, ...clone(value)];
    } else {
      result[key] = clone(value);
    }
  }
  return result;
}

const PLACEHOLDER = /\$\{(\/[^}]*)\}/g;
const WHOLE_PLACEHOLDER = /^\$\{(\/[^}]*)\}$/;

/**
 * Replaces `${/pointer}` in strings by spec fields: a string that is only a
 * placeholder takes the field's value with its type; embedded placeholders are
 * stringified. A placeholder whose field is unset removes the key.
 */
function substitute(template: unknown, spec: JsonObject): unknown {
  if (typeof template === 'string') {
    const whole = WHOLE_PLACEHOLDER.exec(template);
    if (whole) return clone(getPointer(spec, whole[1]));
    let missing = false;
    const text = template.replace(PLACEHOLDER, (_match, pointer: string) => {
      const value = getPointer(spec, pointer);
      if (value === undefined) missing = true;
      return typeof value === 'string' ? value : JSON.stringify(value);
    });
    return missing ? undefined : text;
  }
  if (Array.isArray(template)) {
    return template
      .map(item => substitute(item, spec))
      .filter(item => item !== undefined);
  }
  if (isPlainObject(template)) {
    const result: JsonObject = {};
    for (const [key, value] of Object.entries(template)) {
      const substituted = substitute(value, spec);
      if (substituted !== undefined) result[key] = substituted;
    }
    return result;
  }
  return template;
}

function applies(rule: ValuesMappingRule, spec: JsonObject): boolean {
  if (rule.when === undefined) return true;
  const value = getPointer(spec, rule.when);
  if (rule.equals !== undefined) {
    return JSON.stringify(value) === JSON.stringify(rule.equals);
  }
  return value !== undefined && value !== null && value !== false;
}

/**
 * The chart values a spec maps to under a version's mapping rules, merged onto
 * `base` in rule order (so `appendArrays` extends the defaults' arrays).
 */
export function mapSpecToValues(
  rules: ValuesMappingRule[],
  spec: JsonObject,
  base: JsonObject = {},
): JsonObject {
  let values: JsonObject = clone(base);
  for (const rule of rules) {
    if (!applies(rule, spec)) continue;
    if (rule.from !== undefined && rule.to !== undefined) {
      const value = getPointer(spec, rule.from);
      if (value !== undefined) {
        const fragment: JsonObject = {};
        setPointer(fragment, rule.to, clone(value));
        values = mergeValues(values, fragment);
      }
    }
    if (rule.values) {
      values = mergeValues(
        values,
        substitute(rule.values, spec) as JsonObject,
        {
          appendArrays: rule.appendArrays,
        },
      );
    }
  }
  return values;
}

/**
 * The chart values to install: the version's defaults, then the spec (with the
 * defaults of its JSON Schema) mapped to values, then the user's overrides.
 * Pure: the same inputs always give the same values.
 */
export function renderValues(
  version: ServiceVersion,
  spec: JsonObject,
  overrides: JsonObject = {},
): JsonObject {
  const fullSpec = applySpecDefaults(version, spec);
  const mapped = mapSpecToValues(
    version.valuesMapping,
    fullSpec,
    version.values,
  );
  return mergeValues(mapped, overrides);
}
