// Polling on a condition, for browser tests that wait on the portal's API.
export const sleep = ms => new Promise(r => setTimeout(r, ms));

/** Polls `fn` until it returns something truthy; the last error on timeout. */
export async function eventually(
  what,
  fn,
  { timeoutMs = 30_000, everyMs = 500 } = {},
) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value;
      last = undefined;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${
          last ? `: ${last.message}` : ''
        }`,
      );
    }
    await sleep(everyMs);
  }
}
