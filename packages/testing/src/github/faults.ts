/** A failure to inject into matching requests. */
export interface GitHubFault {
  /** Matched against the request path (including any `/api/v3` prefix). */
  path: RegExp | string;
  /** HTTP method to match; any when omitted. */
  method?: string;
  /** Delay before handling (ms); may be combined with the other effects. */
  latencyMs?: number;
  /** Answer with this server error instead of handling the request. */
  status?: 500 | 502 | 503;
  /** Answer with a secondary rate limit (403 + retry-after seconds). */
  secondaryRateLimit?: { retryAfter: number; status?: 403 | 429 };
  /** Destroy the connection without answering. */
  drop?: boolean;
  /** How many matching requests to affect; unlimited when omitted. */
  times?: number;
}

export interface FaultRegistry<F> {
  /** Adds a fault; returns a function removing it. */
  add(fault: F): () => void;
  clear(): void;
  list(): F[];
}

/** Keeps faults in order and counts down `times`. */
export class Faults<
  F extends { path: RegExp | string; method?: string; times?: number },
> implements FaultRegistry<F>
{
  private faults: Array<{ fault: F; left: number }> = [];

  add(fault: F): () => void {
    const entry = { fault, left: fault.times ?? Infinity };
    this.faults.push(entry);
    return () => {
      this.faults = this.faults.filter(e => e !== entry);
    };
  }

  clear(): void {
    this.faults = [];
  }

  list(): F[] {
    return this.faults.map(e => e.fault);
  }

  /** The first fault matching the request, consuming one of its uses. */
  take(method: string, path: string): F | undefined {
    for (const entry of this.faults) {
      const { fault } = entry;
      if (fault.method && fault.method.toUpperCase() !== method) continue;
      const matches =
        typeof fault.path === 'string'
          ? path.startsWith(fault.path)
          : fault.path.test(path);
      if (!matches || entry.left <= 0) continue;
      entry.left -= 1;
      return fault;
    }
    return undefined;
  }
}

export interface RequestLogEntry {
  method: string;
  path: string;
  status: number;
  ms: number;
  /** Login of the authenticated caller, when known. */
  login?: string;
}

/** A bounded request log: keeps the newest `max` entries. */
export class RequestLog {
  readonly entries: RequestLogEntry[] = [];

  constructor(private readonly max = 10_000) {}

  push(entry: RequestLogEntry): void {
    this.entries.push(entry);
    if (this.entries.length > this.max * 2) {
      this.entries.splice(0, this.entries.length - this.max);
    }
  }
}
