/**
 * GitHub's all-zero sha: a push's `before` when it created the ref, its
 * `after` when it deleted it.
 */
export const isZeroSha = (sha: unknown): boolean =>
  typeof sha === 'string' && /^0+$/.test(sha);
