import pLimit from 'p-limit';

/**
 * Maps with at most `limit` calls of `fn` in flight, keeping the input order:
 * N remote calls without flooding the remote.
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const run = pLimit(Math.max(1, limit));
  return Promise.all(items.map((item, i) => run(() => fn(item, i))));
}
