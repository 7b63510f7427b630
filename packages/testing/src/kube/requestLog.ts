/** One served request. */
export interface RequestRecord {
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string>;
  /** Response status; 0 when the connection was dropped. */
  status: number;
  /** Time to the end of the response (for watches: until the stream closed). */
  durationMs: number;
  /** Start time, epoch milliseconds. */
  timestamp: number;
  /** True for `?watch=true` requests. */
  watch: boolean;
  userAgent?: string;
  /** Who it authenticated as: `token`, `x509:<common name>`, or undefined (refused or unauthenticated path). */
  user?: string;
}

export type RequestFilter = (r: RequestRecord) => boolean;

/** Bounded log of requests (oldest dropped beyond `capacity`). */
export class RequestLog {
  private records: RequestRecord[] = [];

  constructor(private readonly capacity = 100_000) {}

  /** @internal */
  add(r: RequestRecord): void {
    this.records.push(r);
    if (this.records.length > this.capacity)
      this.records.splice(0, this.records.length - this.capacity);
  }

  /** A copy of the records, optionally filtered. */
  list(filter?: RequestFilter): RequestRecord[] {
    return filter ? this.records.filter(filter) : [...this.records];
  }

  count(filter?: RequestFilter): number {
    return filter ? this.records.filter(filter).length : this.records.length;
  }

  /** Requests per second over the span of matching records (0 with fewer than 2). */
  perSecond(filter?: RequestFilter): number {
    const rs = this.list(filter);
    if (rs.length < 2) return 0;
    const span = (rs[rs.length - 1].timestamp - rs[0].timestamp) / 1000;
    return span > 0 ? rs.length / span : rs.length;
  }

  clear(): void {
    this.records = [];
  }
}
