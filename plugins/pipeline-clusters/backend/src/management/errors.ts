/**
 * Classifies failures talking to the management cluster: transient ones
 * (429, 5xx, timeouts, dropped connections) are retried with back-off; the
 * rest (a manifest the API refuses, forbidden) put the cluster in Error.
 */
export class ManagementApiError extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ManagementApiError';
  }
}

interface ApiExceptionLike {
  code?: number;
  body?: unknown;
  headers?: Record<string, string>;
  message?: string;
}

/** The message of a Kubernetes `Status` body, if the error carries one. */
function statusMessage(body: unknown): string | undefined {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  if (parsed && typeof parsed === 'object' && 'message' in parsed) {
    const message = (parsed as { message?: unknown }).message;
    return typeof message === 'string' ? message : undefined;
  }
  return undefined;
}

export function statusCodeOf(error: unknown): number | undefined {
  const code = (error as ApiExceptionLike)?.code;
  return typeof code === 'number' && code >= 100 && code < 600
    ? code
    : undefined;
}

export function toManagementApiError(
  error: unknown,
  what: string,
): ManagementApiError {
  if (error instanceof ManagementApiError) return error;
  const status = statusCodeOf(error);
  if (status !== undefined) {
    const detail =
      statusMessage((error as ApiExceptionLike).body) ?? `HTTP ${status}`;
    const retryAfter = Number(
      (error as ApiExceptionLike).headers?.['retry-after'] ?? NaN,
    );
    const transient = status === 429 || status >= 500;
    return new ManagementApiError(
      `${what}: ${detail}`,
      transient,
      status,
      Number.isFinite(retryAfter) ? retryAfter * 1000 : undefined,
    );
  }
  // Network-level: refused, reset, timed out. Retried.
  const code = (error as NodeJS.ErrnoException)?.code;
  const message = (error as Error)?.message ?? String(error);
  return new ManagementApiError(
    `${what}: ${code ? `${code} ` : ''}${message}`.slice(0, 500),
    true,
  );
}
