import { RateLimiter } from './RateLimiter';

describe('RateLimiter', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  /** Starts `count` waits at once; records when (fake clock) each one returns. */
  function startWaits(limiter: RateLimiter, count: number) {
    const at: number[] = [];
    const all = Promise.all(
      Array.from({ length: count }, () =>
        limiter.wait().then(() => at.push(Date.now() - 1_000_000)),
      ),
    );
    return { at, all };
  }

  it('spaces calls one interval apart', async () => {
    const { at, all } = startWaits(new RateLimiter(4), 3);
    await jest.advanceTimersByTimeAsync(0);
    expect(at).toEqual([0]);
    await jest.advanceTimersByTimeAsync(249);
    expect(at).toEqual([0]);
    await jest.advanceTimersByTimeAsync(1);
    expect(at).toEqual([0, 250]);
    await jest.advanceTimersByTimeAsync(250);
    await all;
    expect(at).toEqual([0, 250, 500]);
  });

  it('lets a call through at once after a quiet interval', async () => {
    const limiter = new RateLimiter(2);
    await limiter.wait();
    await jest.advanceTimersByTimeAsync(2_000);
    const { at, all } = startWaits(limiter, 1);
    await jest.advanceTimersByTimeAsync(0);
    await all;
    expect(at).toEqual([2_000]);
  });

  it('does not limit with a rate of zero', async () => {
    const { at, all } = startWaits(new RateLimiter(0), 5);
    await jest.advanceTimersByTimeAsync(0);
    await all;
    expect(at).toEqual([0, 0, 0, 0, 0]);
  });
});
