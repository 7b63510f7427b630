/** A moment given as an ISO 8601 string, a `Date` or milliseconds since the epoch. */
export type Instant = string | number | Date;

const toMs = (time: Instant): number => {
  let ms: number;
  if (typeof time === 'number') ms = time;
  else if (time instanceof Date) ms = time.getTime();
  else ms = Date.parse(time);
  if (!Number.isFinite(ms)) throw new Error(`not a valid time: ${time}`);
  return ms;
};

/** GitHub's timestamp format: UTC, whole seconds (`2024-05-01T12:00:00Z`). */
export const isoSeconds = (ms: number) =>
  new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * The double's clock, which every timestamp it records (`created_at`,
 * `updated_at`, `pushed_at`...) reads. Real time by default; `set` stops it at
 * a given moment, after which only `advance` moves it, so tests can order
 * events to the second without sleeping.
 */
export class Clock {
  private frozen: number | undefined;
  private offset = 0;

  /** Current time in milliseconds since the epoch. */
  now(): number {
    return this.frozen ?? Date.now() + this.offset;
  }

  /** Current time as GitHub writes it. */
  iso(): string {
    return isoSeconds(this.now());
  }

  /** Stops the clock at `time`; it then moves only with {@link advance}. */
  set(time: Instant): void {
    this.frozen = toMs(time);
  }

  /** Moves the clock by `ms` (stopped or running; negative goes back). */
  advance(ms: number): void {
    if (!Number.isFinite(ms)) throw new Error(`not a duration: ${ms}`);
    if (this.frozen !== undefined) this.frozen += ms;
    else this.offset += ms;
  }

  /** Back to real time. */
  reset(): void {
    this.frozen = undefined;
    this.offset = 0;
  }
}

export const parseInstant = toMs;
