import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { FieldError } from './status';
import { KubeObject, ResourceType, isObject } from './types';

const SUBDOMAIN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

const invalidValue = (
  field: string,
  value: unknown,
  msg: string,
): FieldError => ({
  field,
  reason: 'FieldValueInvalid',
  detail: `Invalid value: ${repr(value)}: ${msg}`,
});

// Mirrors how field.Invalid prints values: strings quoted, numbers bare.
function repr(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null)
    return String(v);
  return `"${Array.isArray(v) ? 'array' : typeof v}"`;
}

/** Validates a name against the kind's rule (RFC 1123 subdomain / label, or path segment). */
export function validateName(
  rule: ResourceType['nameRule'],
  name: string,
  field = 'metadata.name',
): FieldError[] {
  const errs: FieldError[] = [];
  if (rule === 'label') {
    if (name.length > 63)
      errs.push(
        invalidValue(field, name, 'must be no more than 63 characters'),
      );
    if (!LABEL.test(name)) errs.push(invalidValue(field, name, LABEL_MSG));
  } else if (rule === 'subdomain') {
    if (name.length > 253)
      errs.push(
        invalidValue(field, name, 'must be no more than 253 characters'),
      );
    if (!SUBDOMAIN.test(name))
      errs.push(invalidValue(field, name, SUBDOMAIN_MSG));
  } else {
    if (name === '.' || name === '..')
      errs.push(invalidValue(field, name, `may not be '${name}'`));
    for (const bad of ['/', '%']) {
      if (name.includes(bad))
        errs.push(invalidValue(field, name, `may not contain '${bad}'`));
    }
  }
  return errs;
}

function validateQualifiedName(field: string, key: string): FieldError[] {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const ok =
    name.length > 0 &&
    name.length <= 63 &&
    QUALIFIED_NAME.test(name) &&
    (prefix === undefined || (prefix.length <= 253 && SUBDOMAIN.test(prefix)));
  return ok
    ? []
    : [
        invalidValue(
          field,
          key,
          "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
        ),
      ];
}

/** Generic ObjectMeta validation shared by every kind (labels, annotations keys). */
export function validateMeta(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const meta = obj.metadata ?? {};
  for (const [k, v] of Object.entries(meta.labels ?? {})) {
    errs.push(...validateQualifiedName('metadata.labels', k));
    if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v)) {
      errs.push(invalidValue('metadata.labels', v, LABEL_VALUE_MSG));
    }
  }
  for (const k of Object.keys(meta.annotations ?? {})) {
    errs.push(...validateQualifiedName('metadata.annotations', k));
  }
  return errs;
}

// Formats the API server checks; any other format is ignored, as it is there.
const CHECKED_FORMATS = [
  'date-time',
  'date',
  'ipv4',
  'ipv6',
  'uuid',
  'byte',
  'int32',
  'int64',
  'float',
  'double',
];

let ajv: Ajv | undefined;
function getAjv(): Ajv {
  if (!ajv) {
    ajv = new Ajv({
      strict: false,
      allErrors: true,
      verbose: true,
      useDefaults: true,
      validateSchema: false,
      logger: false,
      code: { optimize: false },
    });
    addFormats(ajv, CHECKED_FORMATS.filter(f => f !== 'byte') as any);
    ajv.addFormat(
      'byte',
      /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/,
    );
  }
  return ajv;
}

/**
 * Rewrites a Kubernetes structural schema into plain JSON Schema for ajv:
 * `nullable` becomes a `null` type, `x-kubernetes-int-or-string` an
 * integer|string union, other `x-kubernetes-*` keywords (CEL rules, list
 * types, ...) and unchecked formats are dropped.
 */
export function toJsonSchema(s: unknown): unknown {
  if (!isObject(s)) return s;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (k.startsWith('x-kubernetes-') || k === 'nullable') continue;
    if (k === 'format' && !CHECKED_FORMATS.includes(String(v))) continue;
    if ((k === 'properties' || k === 'patternProperties') && isObject(v)) {
      out[k] = Object.fromEntries(
        Object.entries(v).map(([pk, pv]) => [pk, toJsonSchema(pv)]),
      );
    } else if (
      ['items', 'additionalProperties', 'not'].includes(k) &&
      isObject(v)
    ) {
      out[k] = toJsonSchema(v);
    } else if (['allOf', 'anyOf', 'oneOf'].includes(k) && Array.isArray(v)) {
      out[k] = v.map(toJsonSchema);
    } else {
      out[k] = v;
    }
  }
  if (s['x-kubernetes-int-or-string'] === true) {
    delete out.type;
    if (!out.anyOf) out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (s.nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
  }
  return out;
}

// Compiled lazily on first use and cached per schema object (CRD version).
const compiled = new WeakMap<object, ValidateFunction>();

function compile(schema: Record<string, unknown>): ValidateFunction {
  let fn = compiled.get(schema);
  if (!fn) {
    const root = toJsonSchema(schema) as Record<string, unknown>;
    // metadata/apiVersion/kind are validated by the server itself, not the schema.
    if (isObject(root.properties)) {
      const {
        metadata: _m,
        apiVersion: _a,
        kind: _k,
        ...rest
      } = root.properties;
      root.properties = rest;
    }
    const a = getAjv();
    fn = a.compile(root);
    a.removeSchema(root);
    compiled.set(schema, fn);
  }
  return fn;
}

/** Ensures the validator for a schema is compiled (e.g. to warm up ahead of a test). */
export function precompile(schema: Record<string, unknown>): void {
  compile(schema);
}

function fieldPath(instancePath: string): string {
  if (!instancePath) return '';
  return instancePath
    .slice(1)
    .split('/')
    .map(t => t.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, t) => {
      if (/^\d+$/.test(t)) return `${acc}[${t}]`;
      return acc ? `${acc}.${t}` : t;
    }, '');
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return Number.isInteger(v) ? 'integer' : typeof v;
}

function toFieldError(e: ErrorObject): FieldError {
  const field = fieldPath(e.instancePath);
  const p = e.params as Record<string, any>;
  const at = field || '<root>';
  switch (e.keyword) {
    case 'required':
      return {
        field: field ? `${field}.${p.missingProperty}` : p.missingProperty,
        reason: 'FieldValueRequired',
        detail: 'Required value',
      };
    case 'type': {
      const t = typeName(e.data);
      return invalidValue(
        at,
        t,
        `${at} in body must be of type ${p.type}: "${t}"`,
      );
    }
    case 'enum':
      return {
        field: at,
        reason: 'FieldValueNotSupported',
        detail: `Unsupported value: ${repr(e.data)}: supported values: ${(
          p.allowedValues as unknown[]
        )
          .map(v => JSON.stringify(v))
          .join(', ')}`,
      };
    case 'pattern':
      return invalidValue(
        at,
        e.data,
        `${at} in body should match '${p.pattern}'`,
      );
    case 'maxLength':
      return {
        field: at,
        reason: 'FieldValueTooLong',
        detail: `Too long: may not be more than ${p.limit} bytes`,
      };
    case 'minLength':
      return invalidValue(
        at,
        e.data,
        `${at} in body should be at least ${p.limit} chars long`,
      );
    case 'maxItems':
      return {
        field: at,
        reason: 'FieldValueTooMany',
        detail: `Too many: ${(e.data as unknown[]).length}: must have at most ${
          p.limit
        } items`,
      };
    case 'minItems':
      return invalidValue(
        at,
        (e.data as unknown[]).length,
        `${at} in body should have at least ${p.limit} items`,
      );
    case 'minProperties':
      return invalidValue(
        at,
        Object.keys(e.data as object).length,
        `${at} in body should have at least ${p.limit} properties`,
      );
    case 'maxProperties':
      return {
        field: at,
        reason: 'FieldValueTooMany',
        detail: `Too many: ${
          Object.keys(e.data as object).length
        }: must have at most ${p.limit} items`,
      };
    case 'minimum':
    case 'exclusiveMinimum':
      return invalidValue(
        at,
        e.data,
        `${at} in body should be greater than ${
          p.comparison === '>=' ? 'or equal to ' : ''
        }${p.limit}`,
      );
    case 'maximum':
    case 'exclusiveMaximum':
      return invalidValue(
        at,
        e.data,
        `${at} in body should be less than ${
          p.comparison === '<=' ? 'or equal to ' : ''
        }${p.limit}`,
      );
    case 'anyOf': {
      // int-or-string style unions read as a type error, like the real server.
      const branches = Array.isArray(e.schema) ? (e.schema as unknown[]) : [];
      const types = branches.map(b =>
        isObject(b) && Object.keys(b).length === 1 ? b.type : undefined,
      );
      if (types.length && types.every(t => typeof t === 'string')) {
        const t = typeName(e.data);
        return invalidValue(
          at,
          t,
          `${at} in body must be of type ${types.join(',')}: "${t}"`,
        );
      }
      return invalidValue(
        at,
        e.data,
        `${at} in body must match a schema in anyOf`,
      );
    }
    case 'format':
      return invalidValue(
        at,
        e.data,
        `${at} in body must be of type ${p.format}: ${repr(e.data)}`,
      );
    default:
      return invalidValue(
        at,
        e.data,
        `${at} in body ${e.message ?? 'is invalid'}`,
      );
  }
}

/**
 * Validates a custom resource against its CRD version schema (defaults are
 * applied in place, as the API server does). Returns field errors.
 */
export function validateSchema(
  schema: Record<string, unknown>,
  obj: KubeObject,
): FieldError[] {
  const fn = compile(schema);
  if (fn(obj)) return [];
  const errors = fn.errors ?? [];
  // Branch errors of anyOf/oneOf are noise: keep only the combinator's own error.
  const kept = errors.filter(
    e => !/\/(anyOf|oneOf)\/\d+\//.test(`${e.schemaPath}/`),
  );
  const seen = new Set<string>();
  return kept.map(toFieldError).filter(fe => {
    const key = `${fe.field}|${fe.detail}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Drops fields not declared in the schema (unless under
 * `x-kubernetes-preserve-unknown-fields`), like the API server's pruning.
 * Returns the pruned field paths (reported as warnings).
 */
export function prune(
  obj: KubeObject,
  schema: Record<string, unknown>,
): string[] {
  const pruned: string[] = [];
  const walk = (
    value: unknown,
    s: unknown,
    path: string,
    root: boolean,
    embedded: boolean,
  ) => {
    if (!isObject(s)) return;
    if (Array.isArray(value)) {
      value.forEach((v, i) => walk(v, s.items, `${path}[${i}]`, false, false));
      return;
    }
    if (!isObject(value)) return;
    const props = isObject(s.properties) ? s.properties : undefined;
    const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
    const additional = isObject(s.additionalProperties)
      ? s.additionalProperties
      : undefined;
    for (const key of Object.keys(value)) {
      const child = path ? `${path}.${key}` : key;
      if (
        (root || embedded || s['x-kubernetes-embedded-resource'] === true) &&
        ['apiVersion', 'kind', 'metadata'].includes(key)
      )
        continue;
      if (props && key in props) {
        walk(
          value[key],
          props[key],
          child,
          false,
          isObject(props[key]) &&
            props[key]['x-kubernetes-embedded-resource'] === true,
        );
      } else if (additional) {
        walk(value[key], additional, child, false, false);
      } else if (!preserve && (props || s.type === 'object')) {
        delete value[key];
        pruned.push(child);
      }
    }
  };
  walk(obj, schema, '', true, false);
  return pruned;
}
