import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';

/** Longest message kept from a cluster's answer: it is shown to users. */
const MAX_MESSAGE = 500;

/**
 * A failure talking to a Kubernetes API server, classified once for every
 * plugin: transient ones (429, 5xx, timeouts, dropped connections) are
 * worth retrying; the rest (a refused manifest, forbidden, not found) are
 * the answer.
 */
export class KubernetesApiError extends Error {
  readonly name = 'KubernetesApiError';

  constructor(
    message: string,
    readonly transient: boolean,
    readonly status?: number,
    /** From the answer's `Retry-After`, when it had one. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

interface ApiExceptionLike {
  code?: unknown;
  body?: unknown;
  headers?: Record<string, string | undefined>;
  message?: unknown;
}

/** The HTTP status of a `@kubernetes/client-node` error, when it has one. */
export function kubernetesStatusOf(error: unknown): number | undefined {
  const code = (error as ApiExceptionLike | undefined)?.code;
  return typeof code === 'number' && code >= 100 && code < 600
    ? code
    : undefined;
}

/** The message of the Kubernetes `Status` the error carries, if any. */
function statusMessage(body: unknown): string | undefined {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  const message = (parsed as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : undefined;
}

/**
 * Classifies what a call to a cluster threw; `what` says what was being done
 * (it starts the message). Already classified errors pass through.
 */
export function toKubernetesApiError(
  error: unknown,
  what: string,
): KubernetesApiError {
  if (error instanceof KubernetesApiError) return error;
  const e = error as ApiExceptionLike | undefined;
  const status = kubernetesStatusOf(error);
  if (status !== undefined) {
    const retryAfter = Number(e?.headers?.['retry-after'] ?? NaN);
    return new KubernetesApiError(
      `${what}: ${statusMessage(e?.body) ?? `HTTP ${status}`}`.slice(
        0,
        MAX_MESSAGE,
      ),
      status === 429 || status >= 500,
      status,
      Number.isFinite(retryAfter) ? retryAfter * 1000 : undefined,
    );
  }
  // Network level: refused, reset, timed out. Worth another try.
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message =
    typeof e?.message === 'string' ? e.message.split('\n')[0] : String(error);
  return new KubernetesApiError(
    `${what}: ${typeof code === 'string' ? `${code} ` : ''}${message}`.slice(
      0,
      MAX_MESSAGE,
    ),
    true,
  );
}

/**
 * The `@backstage/errors` error a route answers with for a cluster's
 * failure: 400 for what the cluster refused as invalid, 403 for what it
 * forbade, 404, 409, and 503 for a cluster that did not answer or is in
 * trouble.
 */
export function toBackstageError(error: KubernetesApiError): Error {
  const { status, message } = error;
  if (status === 400 || status === 422) return new InputError(message);
  if (status === 401 || status === 403) return new NotAllowedError(message);
  if (status === 404) return new NotFoundError(message);
  if (status === 409) return new ConflictError(message);
  if (error.transient) return new ServiceUnavailableError(message);
  return new Error(message);
}
