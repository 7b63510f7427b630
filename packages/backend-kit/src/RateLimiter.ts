/**
 * Spaces calls so that at most `perSecond` start in any second: the
 * reconciler gives each cluster its own, so one cluster's objects never burst
 * against the management API.
 */
export class RateLimiter {
  private next = 0;
  private readonly intervalMs: number;

  constructor(perSecond: number) {
    this.intervalMs = perSecond > 0 ? 1000 / perSecond : 0;
  }

  async wait(): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.next);
    this.next = at + this.intervalMs;
    if (at > now) {
      await new Promise(resolve => setTimeout(resolve, at - now));
      // Timers fire late, never early: space the next call from the real
      // start of this one, or two calls could land within one interval.
      this.next = Math.max(this.next, Date.now() + this.intervalMs);
    }
  }
}
