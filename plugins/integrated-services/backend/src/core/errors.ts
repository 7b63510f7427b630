/**
 * A failure talking to a cluster. Transient ones (429, 5xx, timeouts,
 * dropped connections) are retried on the next pass without counting as the
 * service's failure; the rest stop the plan with the message in status.
 */
export class ClusterApiError extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ClusterApiError';
  }
}

/** A step or release that failed: the plan stops with this message. */
export class StepFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StepFailedError';
  }
}

export function statusCodeOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'number' && code >= 100 && code < 600
    ? code
    : undefined;
}

function bodyMessage(body: unknown): string | undefined {
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

export function toClusterApiError(
  error: unknown,
  what: string,
): ClusterApiError {
  if (error instanceof ClusterApiError) return error;
  const status = statusCodeOf(error);
  if (status !== undefined) {
    const detail =
      bodyMessage((error as { body?: unknown }).body) ?? `HTTP ${status}`;
    return new ClusterApiError(
      `${what}: ${detail}`,
      status === 429 || status >= 500,
      status,
    );
  }
  const code = (error as NodeJS.ErrnoException)?.code;
  const message = (error as Error)?.message ?? String(error);
  return new ClusterApiError(
    `${what}: ${code ? `${code} ` : ''}${message}`.slice(0, 500),
    true,
  );
}
