/** Kubernetes names: at most 63 characters, RFC 1123 labels. */
const MAX_NAME = 63;
const SHORT_SHA = 7;
const HASH_CHARS = 10;

/**
 * Turns any text into an RFC 1123 label part: lowercase letters, digits and
 * single `-`, no `-` at either end, at most `max` characters.
 */
export function toDnsLabel(text: string, max = MAX_NAME): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .slice(0, max)
    .replace(/^-+|-+$/g, '');
}

/**
 * 64-bit FNV-1a of a string's UTF-8 bytes, as hex. Not for secrets: it only
 * spreads run names; it runs in the browser as well as in the backend.
 */
export function fnv1a64(text: string): string {
  const prime = 0x100000001b3n;
  const mask = (1n << 64n) - 1n;
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= BigInt(byte);
    hash = (hash * prime) & mask;
  }
  return hash.toString(16).padStart(16, '0');
}

/** What a PipelineRun's name is derived from. */
export interface PipelineRunNameInput {
  /** The readable start, e.g. the file's generateName `shop-build-`. */
  base: string;
  /** `owner/name`. */
  repository: string;
  pipeline: string;
  sha: string;
  event: string;
  /** `refs/heads/x` or `refs/tags/x`: a branch and a tag push of one sha are two runs. */
  ref?: string;
  pullRequest?: number;
  deploymentId?: number;
}

/**
 * The deterministic name of the run of one pipeline for one event:
 * `<base>-<short sha>-<hash>`, at most 63 characters. The hash covers the
 * repository, pipeline, sha, event, ref, pull request and deployment id, so a
 * retried delivery names the same run and Kubernetes refuses a second one.
 */
export function pipelineRunName(input: PipelineRunNameInput): string {
  const hash = fnv1a64(
    JSON.stringify([
      input.repository,
      input.pipeline,
      input.sha.toLowerCase(),
      input.event,
      input.ref ?? null,
      input.pullRequest ?? null,
      input.deploymentId ?? null,
    ]),
  ).slice(0, HASH_CHARS);
  const sha = toDnsLabel(input.sha, SHORT_SHA);
  const room = MAX_NAME - hash.length - 1 - (sha ? sha.length + 1 : 0);
  const base = toDnsLabel(input.base, room) || toDnsLabel(input.pipeline, room);
  return [base, sha, hash].filter(Boolean).join('-');
}
