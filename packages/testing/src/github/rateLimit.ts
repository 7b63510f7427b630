/** The primary REST budget GitHub keeps per token, reset every hour. */
export interface RateLimitSnapshot {
  limit: number;
  used: number;
  remaining: number;
  /** Epoch seconds of the next reset. */
  reset: number;
}

interface Bucket {
  limit: number;
  used: number;
  reset: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  /** `limit` is per token per hour; `Infinity` disables exhaustion. */
  constructor(private defaultLimit: number) {}

  private bucket(token: string): Bucket {
    const now = Math.floor(Date.now() / 1000);
    let b = this.buckets.get(token);
    if (!b || b.reset <= now) {
      b = { limit: b?.limit ?? this.defaultLimit, used: 0, reset: now + 3600 };
      this.buckets.set(token, b);
    }
    return b;
  }

  snapshot(token: string): RateLimitSnapshot {
    const b = this.bucket(token);
    return {
      limit: b.limit,
      used: b.used,
      remaining: Math.max(0, b.limit - b.used),
      reset: b.reset,
    };
  }

  exhausted(token: string): boolean {
    const b = this.bucket(token);
    return b.used >= b.limit;
  }

  spend(token: string): void {
    this.bucket(token).used += 1;
  }

  /** Sets the budget of one token (or the default for tokens not seen yet). */
  set(token: string | undefined, limit: number, used = 0): void {
    if (token === undefined) {
      this.defaultLimit = limit;
      this.buckets.clear();
      return;
    }
    const b = this.bucket(token);
    b.limit = limit;
    b.used = used;
  }

  reset(): void {
    this.buckets.clear();
  }
}

export function rateLimitHeaders(s: RateLimitSnapshot): Record<string, string> {
  const fmt = (n: number) => (Number.isFinite(n) ? String(n) : '1000000000');
  return {
    'x-ratelimit-limit': fmt(s.limit),
    'x-ratelimit-remaining': fmt(s.remaining),
    'x-ratelimit-used': String(s.used),
    'x-ratelimit-reset': String(s.reset),
    'x-ratelimit-resource': 'core',
  };
}
