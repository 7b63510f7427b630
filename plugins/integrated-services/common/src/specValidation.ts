import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { toIssues } from './ajvIssues';
import { isPlainObject } from './jsonPointer';
import {
  JsonObject,
  JsonSchema,
  ServiceVersion,
  ValidationIssue,
  ValidationResult,
} from './types';

/*
 * Spec schemas are draft-07, the draft @rjsf/validator-ajv8 uses by default, so the
 * form in the browser and the checks on the server agree. Strict mode is off:
 * definitions may carry annotations ajv does not know.
 */
function createAjv(useDefaults: boolean): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, useDefaults });
  addFormats(ajv);
  return ajv;
}

const checking = createAjv(false);
const defaulting = createAjv(true);
const compiled = new WeakMap<
  JsonSchema,
  { check: ValidateFunction; fill: ValidateFunction }
>();

function withoutId(schema: JsonSchema): JsonSchema {
  // An $id would make two definitions sharing it collide in one ajv instance.
  const { $id: _id, $schema: _schema, ...rest } = schema;
  return rest;
}

function compile(schema: JsonSchema) {
  let entry = compiled.get(schema);
  if (!entry) {
    entry = {
      check: checking.compile(withoutId(schema)),
      fill: defaulting.compile(withoutId(schema)),
    };
    compiled.set(schema, entry);
  }
  return entry;
}

/** Why a spec schema cannot be used, or undefined when it compiles. */
export function specSchemaProblem(schema: JsonSchema): string | undefined {
  try {
    compile(schema);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

export interface SpecValidationOptions {
  /** Prepended to every pointer, e.g. `/spec` for a request body's field. */
  pointerPrefix?: string;
}

/** Checks a user's spec against a version's JSON Schema; pointers are into the spec. */
export function validateSpec(
  version: ServiceVersion,
  spec: unknown,
  options: SpecValidationOptions = {},
): ValidationResult {
  const prefix = options.pointerPrefix ?? '';
  if (!isPlainObject(spec)) {
    return {
      valid: false,
      issues: [{ pointer: prefix, message: 'must be an object' }],
    };
  }
  const { check } = compile(version.specSchema);
  if (check(spec)) return { valid: true, issues: [] };
  return { valid: false, issues: toIssues(check.errors, prefix) };
}

/** The spec with its schema's defaults filled in (a copy; invalid parts are left as they are). */
export function applySpecDefaults(
  version: ServiceVersion,
  spec: JsonObject,
): JsonObject {
  const copy = JSON.parse(JSON.stringify(spec ?? {}));
  compile(version.specSchema).fill(copy);
  return copy;
}

const MAX_OVERRIDE_DEPTH = 32;

/**
 * Overrides are free-form chart values, but must be a JSON object of bounded
 * depth, with no functions or non-finite numbers (they travel as YAML and JSON).
 */
export function validateOverrides(
  overrides: unknown,
  options: SpecValidationOptions = {},
): ValidationResult {
  const prefix = options.pointerPrefix ?? '';
  const issues: ValidationIssue[] = [];
  const walk = (value: unknown, pointer: string, depth: number) => {
    if (issues.length >= 20) return;
    if (depth > MAX_OVERRIDE_DEPTH) {
      issues.push({
        pointer,
        message: `nests deeper than ${MAX_OVERRIDE_DEPTH} levels`,
      });
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, `${pointer}/${i}`, depth + 1));
    } else if (isPlainObject(value)) {
      for (const [key, item] of Object.entries(value)) {
        walk(
          item,
          `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`,
          depth + 1,
        );
      }
    } else if (typeof value === 'number' && !Number.isFinite(value)) {
      issues.push({ pointer, message: 'must be a finite number' });
    } else if (
      !['string', 'number', 'boolean'].includes(typeof value) &&
      value !== null
    ) {
      issues.push({ pointer, message: 'must be a JSON value' });
    }
  };
  if (!isPlainObject(overrides)) {
    return {
      valid: false,
      issues: [
        { pointer: prefix, message: 'must be an object of chart values' },
      ],
    };
  }
  walk(overrides, prefix, 0);
  return issues.length === 0
    ? { valid: true, issues: [] }
    : { valid: false, issues };
}
