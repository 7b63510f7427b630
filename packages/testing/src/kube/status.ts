import { ResourceType, qualifiedKind, qualifiedResource } from './types';

/** One entry of `Status.details.causes`. */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** A `meta/v1 Status` body, as returned by the API server for errors. */
export interface KubeStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/**
 * An API error carrying the exact `Status` body the server sends. Thrown by
 * the store so HTTP handlers and in-process helpers fail the same way.
 */
export class KubeApiError extends Error {
  readonly status: KubeStatus;
  readonly headers: Record<string, string>;

  constructor(
    code: number,
    reason: string,
    message: string,
    details?: StatusDetails,
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'KubeApiError';
    this.headers = headers;
    this.status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message,
      reason,
      ...(details ? { details: compact(details) } : {}),
      code,
    };
  }

  get code(): number {
    return this.status.code;
  }

  get reason(): string | undefined {
    return this.status.reason;
  }
}

// Go's omitempty: the real server never sends empty strings in details.
function compact(d: StatusDetails): StatusDetails {
  const out: StatusDetails = {};
  for (const [k, v] of Object.entries(d)) {
    if (v !== undefined && v !== '') (out as Record<string, unknown>)[k] = v;
  }
  return out;
}

const resourceDetails = (t: ResourceType, name: string): StatusDetails => ({
  name,
  group: t.group,
  kind: t.plural,
});

export const notFound = (t: ResourceType, name: string) =>
  new KubeApiError(
    404,
    'NotFound',
    `${qualifiedResource(t)} "${name}" not found`,
    resourceDetails(t, name),
  );

export const namespaceNotFound = (name: string) =>
  new KubeApiError(404, 'NotFound', `namespaces "${name}" not found`, {
    name,
    kind: 'namespaces',
  });

export const pathNotFound = () =>
  new KubeApiError(
    404,
    'NotFound',
    'the server could not find the requested resource',
    {},
  );

export const alreadyExists = (t: ResourceType, name: string) =>
  new KubeApiError(
    409,
    'AlreadyExists',
    `${qualifiedResource(t)} "${name}" already exists`,
    resourceDetails(t, name),
  );

export const conflict = (t: ResourceType, name: string, why: string) =>
  new KubeApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(
      t,
    )} "${name}": ${why}`,
    resourceDetails(t, name),
  );

export const staleConflict = (t: ResourceType, name: string) =>
  conflict(
    t,
    name,
    'the object has been modified; please apply your changes to the latest version and try again',
  );

/** A field error, rendered like `field.Error.Error()` in apimachinery. */
export interface FieldError {
  field: string;
  /** e.g. FieldValueInvalid, FieldValueRequired, FieldValueNotSupported. */
  reason: string;
  /** Message without the field prefix, e.g. `Required value`. */
  detail: string;
}

export function invalid(
  kindLabel: string,
  group: string,
  kind: string,
  name: string,
  errors: FieldError[],
) {
  const parts = errors.map(e => `${e.field}: ${e.detail}`);
  const summary = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
  return new KubeApiError(
    422,
    'Invalid',
    `${kindLabel} "${name}" is invalid: ${summary}`,
    {
      name,
      group,
      kind,
      causes: errors.map(e => ({
        reason: e.reason,
        message: e.detail,
        field: e.field,
      })),
    },
  );
}

export const invalidObject = (
  t: ResourceType,
  name: string,
  errors: FieldError[],
) => invalid(qualifiedKind(t), t.group, t.kind, name, errors);

export const badRequest = (message: string) =>
  new KubeApiError(400, 'BadRequest', message);

export const forbidden = (message: string, details?: StatusDetails) =>
  new KubeApiError(403, 'Forbidden', message, details);

export const methodNotAllowed = () =>
  new KubeApiError(
    405,
    'MethodNotAllowed',
    'the server does not allow this method on the requested resource',
  );

export const unauthorized = () =>
  new KubeApiError(401, 'Unauthorized', 'Unauthorized');

export const gone = (message: string) =>
  new KubeApiError(410, 'Expired', message);

export const unsupportedMediaType = () =>
  new KubeApiError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`,
  );

export function successStatus(t: ResourceType, name: string, uid?: string) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: compact({ name, group: t.group, kind: t.plural, uid }),
  };
}
