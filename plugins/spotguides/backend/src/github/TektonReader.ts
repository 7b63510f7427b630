import type { PipelineFile } from '@pipeline-portal/plugin-spotguides-common';
import { mapWithConcurrency } from '@pipeline-portal/backend-kit';
import { classifyGitHubError, GitHubClient } from './octokit';

export const TEKTON_DIR = '.tekton';
const MAX_ENTRIES = 5000;

interface Entry {
  path: string;
  /** Git blob sha: the content is immutable for it. */
  sha: string;
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

const touchesTekton = (c: PushHint['commits'][number]) =>
  [...(c.added ?? []), ...(c.removed ?? []), ...(c.modified ?? [])].some(
    f => f === TEKTON_DIR || f.startsWith(`${TEKTON_DIR}/`),
  );

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

  constructor(private readonly options: { concurrency?: number } = {}) {}

  async read(
    client: GitHubClient,
    repository: string,
    sha: string,
    hint?: PushHint,
  ): Promise<PipelineFile[]> {
    const entries = await this.list(client, repository, sha, hint);
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
    if (!known && hint && !hint.forced && !hint.created) {
      const before = this.listings.get(`${repository}@${hint.before}`);
      if (
        before &&
        hint.commits.length > 0 &&
        hint.commits.length < 20 &&
        !hint.commits.some(touchesTekton)
      ) {
        this.stats.cached++;
        this.listings.set(key, { entries: before.entries });
        return before.entries;
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
        .map(e => ({ path: e.path, sha: e.sha }));
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
