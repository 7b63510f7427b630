import type { PipelineFile } from '@pipeline-portal/plugin-spotguides-common';
import { mapWithConcurrency } from '@pipeline-portal/backend-kit';
import { classifyGitHubError, GitHubClient } from './octokit';

export const TEKTON_DIR = '.tekton';
const MAX_ENTRIES = 5000;
/**
 * Pipeline files read from one commit: more is refused, not truncated. A
 * spotguide has three; each one is parsed on the event loop.
 */
export const MAX_PIPELINE_FILES = 20;
/** Largest pipeline file read (bytes); a real one is a few kilobytes. */
export const MAX_PIPELINE_FILE_BYTES = 64 * 1024;
/** Largest sum of a commit's pipeline files (bytes). */
export const MAX_PIPELINE_BYTES = 256 * 1024;
const COMMIT_SHA = /^[0-9a-f]{40}$/i;
/** Pushes followed back to a parent whose listing is known. */
const MAX_WALK = 50;

interface Entry {
  path: string;
  /** Git blob sha: the content is immutable for it. */
  sha: string;
  /** Bytes, as the listing says. */
  size: number;
}

/**
 * A repository's `.tekton/` is larger than the portal reads: its files come
 * from anyone who can push, so reading is bounded.
 */
export class PipelineReadLimitError extends Error {
  name = 'PipelineReadLimitError';
}

function checkLimits(repository: string, entries: Entry[]): void {
  if (entries.length > MAX_PIPELINE_FILES) {
    throw new PipelineReadLimitError(
      `${repository} has ${entries.length} pipeline files in ${TEKTON_DIR}/; at most ${MAX_PIPELINE_FILES} are read`,
    );
  }
  const large = entries.find(e => e.size > MAX_PIPELINE_FILE_BYTES);
  if (large) {
    throw new PipelineReadLimitError(
      `${large.path} of ${repository} is ${large.size} bytes; pipeline files of at most ${MAX_PIPELINE_FILE_BYTES} bytes are read`,
    );
  }
  const total = entries.reduce((sum, e) => sum + e.size, 0);
  if (total > MAX_PIPELINE_BYTES) {
    throw new PipelineReadLimitError(
      `the pipeline files of ${repository} add up to ${total} bytes; at most ${MAX_PIPELINE_BYTES} are read`,
    );
  }
}

/** Requests spent, for tests and the benchmark. */
export interface ReadStats {
  /** Answered 200: counted against the primary rate limit. */
  primary: number;
  /** Answered 304 Not Modified: free. */
  notModified: number;
  /** Served from cache without any request. */
  cached: number;
}

/** A push's commits, to know whether `.tekton/` changed since `before`. */
export interface PushHint {
  before: string;
  /** Every commit of the push (GitHub lists at most 20). */
  commits: Array<{ added?: string[]; removed?: string[]; modified?: string[] }>;
  forced?: boolean;
  created?: boolean;
}

/** A bounded insertion-ordered cache. */
class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) {
      this.map.delete(this.map.keys().next().value!);
    }
  }
}

/** The pushes the portal has received, by the commit they made the head. */
export interface PushLog {
  pushTo(repository: string, sha: string): Promise<PushHint | undefined>;
}

const touchesTekton = (c: PushHint['commits'][number]) =>
  [...(c.added ?? []), ...(c.removed ?? []), ...(c.modified ?? [])].some(
    f => f === TEKTON_DIR || f.startsWith(`${TEKTON_DIR}/`),
  );

/** A push whose commits all say `.tekton/` is as it was at `before`. */
const keepsTekton = (hint: PushHint) =>
  !hint.forced &&
  !hint.created &&
  hint.commits.length > 0 &&
  // GitHub lists at most 20 commits: a longer push may hide a change.
  hint.commits.length < 20 &&
  !hint.commits.some(touchesTekton);

/**
 * Reads a repository's `.tekton/*.yaml` at one commit: the directory listing,
 * then every file in parallel. Everything is cached so that an unchanged
 * folder costs no primary quota: listings per commit (and carried over to a
 * push's new head when none of its commits touched `.tekton/`), contents per
 * blob sha, and conditional requests (`If-None-Match`) for the rest.
 */
export class TektonReader {
  private readonly listings = new Lru<{ etag?: string; entries: Entry[] }>(
    MAX_ENTRIES,
  );
  private readonly blobs = new Lru<string>(MAX_ENTRIES);
  private readonly fileEtags = new Lru<{ etag: string; content: string }>(
    MAX_ENTRIES,
  );
  readonly stats: ReadStats = { primary: 0, notModified: 0, cached: 0 };

  constructor(
    private readonly options: {
      concurrency?: number;
      /**
       * Earlier pushes, to follow a push back through parents processed
       * later or elsewhere (deliveries arrive out of order) to a listing
       * already known.
       */
      pushes?: PushLog;
      /**
       * How long to wait for the delivery of a push's parent that has not
       * arrived (GitHub may deliver two quick pushes out of order): a few
       * lookups in the database cost less than a listing on primary quota.
       * @default 1000
       */
      parentWaitMs?: number;
    } = {},
  ) {}

  async read(
    client: GitHubClient,
    repository: string,
    sha: string,
    hint?: PushHint,
  ): Promise<PipelineFile[]> {
    const entries = await this.list(client, repository, sha, hint);
    checkLimits(repository, entries);
    const files = await mapWithConcurrency(
      entries,
      this.options.concurrency ?? 8,
      e => this.file(client, repository, sha, e),
    );
    return files.sort((a, b) => a.path.localeCompare(b.path));
  }

  private async list(
    client: GitHubClient,
    repository: string,
    sha: string,
    hint?: PushHint,
  ): Promise<Entry[]> {
    const key = `${repository}@${sha}`;
    const known = this.listings.get(key);
    // A commit's tree never changes; a branch name is asked again (a 304).
    if (known && COMMIT_SHA.test(sha)) {
      this.stats.cached++;
      return known.entries;
    }
    if (!known && hint) {
      const carried = await this.carriedOver(repository, hint);
      if (carried) {
        this.stats.cached++;
        this.listings.set(key, { entries: carried });
        return carried;
      }
    }
    const [owner, repo] = repository.split('/');
    try {
      const res = await client.request(
        'GET /repos/{owner}/{repo}/contents/{path}',
        {
          owner,
          repo,
          path: TEKTON_DIR,
          ref: sha,
          headers: known?.etag ? { 'if-none-match': known.etag } : {},
        },
      );
      this.stats.primary++;
      const data = Array.isArray(res.data) ? res.data : [];
      const entries = data
        .filter(e => e.type === 'file' && /\.ya?ml$/i.test(e.name))
        .map(e => ({ path: e.path, sha: e.sha, size: Number(e.size) || 0 }));
      this.listings.set(key, { etag: res.headers.etag, entries });
      return entries;
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === 304 && known) {
        this.stats.notModified++;
        return known.entries;
      }
      if (status === 404) {
        this.listings.set(key, { entries: [] });
        return [];
      }
      throw classifyGitHubError(
        error,
        `listing ${TEKTON_DIR}/ of ${repository}`,
      );
    }
  }

  /**
   * The listing of a push's `before` when no push on the way back to it
   * changed `.tekton/`: the push's own parent, or, when that was not read
   * yet, the parent's parent and so on through the pushes received. The
   * commits passed on the way get the listing too.
   */
  private async carriedOver(
    repository: string,
    hint: PushHint,
  ): Promise<Entry[] | undefined> {
    const passed: string[] = [];
    // One wait for the whole walk: GitHub may deliver a push's parent, or
    // the parent's parent, after it.
    const until = Date.now() + (this.options.parentWaitMs ?? 1000);
    let step: PushHint | undefined = hint;
    for (let i = 0; step && i < MAX_WALK && keepsTekton(step); i++) {
      const parent = this.listings.get(`${repository}@${step.before}`);
      if (parent) {
        for (const sha of passed) {
          this.listings.set(`${repository}@${sha}`, {
            entries: parent.entries,
          });
        }
        return parent.entries;
      }
      passed.push(step.before);
      step = await this.pushTo(repository, step.before, until);
    }
    return undefined;
  }

  private async pushTo(
    repository: string,
    sha: string,
    until: number,
  ): Promise<PushHint | undefined> {
    const log = this.options.pushes;
    if (!log) return undefined;
    for (;;) {
      const found = await log.pushTo(repository, sha);
      if (found || Date.now() >= until) return found;
      await new Promise(r => setTimeout(r, 50));
    }
  }

  private async file(
    client: GitHubClient,
    repository: string,
    sha: string,
    entry: Entry,
  ): Promise<PipelineFile> {
    const blob = this.blobs.get(entry.sha);
    if (blob !== undefined) {
      this.stats.cached++;
      return { path: entry.path, content: blob };
    }
    const pathKey = `${repository}:${entry.path}`;
    const previous = this.fileEtags.get(pathKey);
    const [owner, repo] = repository.split('/');
    try {
      const res = await client.request(
        'GET /repos/{owner}/{repo}/contents/{path}',
        {
          owner,
          repo,
          path: entry.path,
          ref: sha,
          headers: {
            accept: 'application/vnd.github.raw+json',
            ...(previous ? { 'if-none-match': previous.etag } : {}),
          },
        },
      );
      this.stats.primary++;
      const content =
        typeof res.data === 'string'
          ? res.data
          : Buffer.from(res.data as unknown as ArrayBuffer).toString('utf8');
      // The listing's size is GitHub's word; what arrived is checked too.
      if (Buffer.byteLength(content) > MAX_PIPELINE_FILE_BYTES) {
        throw new PipelineReadLimitError(
          `${entry.path} of ${repository} is larger than ${MAX_PIPELINE_FILE_BYTES} bytes`,
        );
      }
      this.blobs.set(entry.sha, content);
      if (res.headers.etag) {
        this.fileEtags.set(pathKey, { etag: res.headers.etag, content });
      }
      return { path: entry.path, content };
    } catch (error) {
      if ((error as { status?: number }).status === 304 && previous) {
        this.stats.notModified++;
        this.blobs.set(entry.sha, previous.content);
        return { path: entry.path, content: previous.content };
      }
      throw classifyGitHubError(
        error,
        `reading ${entry.path} of ${repository}`,
      );
    }
  }
}
