/**
 * Remembers the last `max` results of a pure function of one string, thrown
 * errors included: the trigger engine reads the same few pipeline files for
 * every push of a repository, and parsing their YAML again each time was
 * the largest cost of a delivery.
 */
export function memoizeByKey<R>(
  fn: (key: string) => R,
  max: number,
): (key: string) => R {
  const results = new Map<string, { value: R } | { error: unknown }>();
  return key => {
    let entry = results.get(key);
    if (entry) {
      // Most recently used last: the first key is the one evicted.
      results.delete(key);
    } else {
      try {
        entry = { value: fn(key) };
      } catch (error) {
        entry = { error };
      }
      if (results.size >= max) results.delete(results.keys().next().value!);
    }
    results.set(key, entry);
    if ('error' in entry) throw entry.error;
    return entry.value;
  };
}

/** Freezes a parsed document, so a cached one cannot be changed by a caller. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
