import { ApiError, notFound } from '../errors';
import type { HookRecord, RepoRecord, Role, Store } from '../model';
import { roleAtLeast } from '../model';
import type { RateLimiter } from '../rateLimit';
import type { ApiRequest, Params, Reply } from '../router';
import type { Urls } from '../serialize';
import type { WebhookPayloads } from '../webhooks';

/** What every route module needs from the double. */
export interface Deps {
  store: Store;
  urls(): Urls;
  rate: RateLimiter;
  payloads: WebhookPayloads;
  /**
   * Delivers `event` in the background to every active hook of `repo`
   * subscribed to it, or only to `only` (pings go to one hook whatever
   * its events).
   */
  dispatch(
    repo: RepoRecord,
    event: string,
    payload: object,
    only?: HookRecord,
  ): void;
  /** Directory holding the bare repositories. */
  gitRoot: string;
}

export const json = (status: number, body?: unknown): Reply => ({
  status,
  body,
});
export const ok = (body: unknown): Reply => ({ status: 200, body });
export const noContent = (): Reply => ({ status: 204 });

const DENIED: Record<string, string> = {
  admin: 'Must have admin rights to Repository.',
  write: 'Must have push access to repository',
};

/**
 * Looks up `params.owner/params.repo` for the caller: 404 when it does not
 * exist or is invisible to them (as GitHub hides private repositories),
 * 403 when visible but the caller lacks `need`.
 */
export function repoFor(
  deps: Deps,
  req: ApiRequest,
  params: Params,
  need: Role = 'read',
): RepoRecord {
  const repo = deps.store.repo(params.owner, params.repo);
  if (!repo) throw notFound();
  const role = deps.store.role(req.login, repo);
  if (!role) throw notFound();
  if (!roleAtLeast(role, need)) {
    throw new ApiError(403, DENIED[need] ?? DENIED.write);
  }
  return repo;
}

/**
 * Slices `items` by `page`/`per_page` and adds GitHub's `Link` header
 * (first/prev/next/last). `wrap` builds the body from the page, for list
 * endpoints that return an object such as `{ total_count, check_runs }`.
 */
export function paginate<T>(
  req: ApiRequest,
  items: T[],
  wrap: (page: T[]) => unknown = page => page,
): Reply {
  const perPage = Math.min(
    100,
    Math.max(1, Number(req.query.get('per_page')) || 30),
  );
  const page = Math.max(1, Number(req.query.get('page')) || 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const link = (p: number, rel: string) => {
    const url = new URL(req.selfUrl);
    url.searchParams.set('per_page', String(perPage));
    url.searchParams.set('page', String(p));
    return `<${url}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page > 1) links.push(link(page - 1, 'prev'));
  if (page < last) links.push(link(page + 1, 'next'));
  if (page < last) links.push(link(last, 'last'));
  if (page > 1) links.push(link(1, 'first'));
  return {
    status: 200,
    body: wrap(slice),
    headers: links.length ? { link: links.join(', ') } : undefined,
  };
}

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
