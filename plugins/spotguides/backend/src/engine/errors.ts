/**
 * A failure worth another attempt later (GitHub rate limits and 5xx, an
 * unreachable cluster): the delivery goes back to the queue, it is not lost.
 */
export class TransientError extends Error {
  /** Epoch ms of the earliest sensible retry, when the server said so. */
  readonly retryAt?: number;

  constructor(
    message: string,
    options: { retryAt?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'TransientError';
    this.retryAt = options.retryAt;
  }
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** True for connection-level failures (no HTTP answer at all). */
export function isNetworkError(error: unknown): boolean {
  for (let e: any = error; e; e = e.cause) {
    if (NETWORK_CODES.has(e.code)) return true;
    if (e.name === 'TimeoutError' || e.message === 'fetch failed') return true;
  }
  return false;
}

/** Capped exponential back-off: 2 s, 4 s, 8 s ... up to `capMs`. */
export function backoffMs(
  attempts: number,
  baseMs: number,
  capMs: number,
): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, attempts - 1));
}
