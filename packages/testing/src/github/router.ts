import type { IncomingMessage } from 'node:http';

/** What a route handler hands back; the server adds GitHub's common headers. */
export interface Reply {
  status: number;
  body?: unknown;
  /** Sent as is instead of JSON (raw media type). */
  raw?: Buffer;
  headers?: Record<string, string>;
}

/** Per-request facts a handler needs. */
export interface ApiRequest {
  method: string;
  /** Path below the API prefix, e.g. `/repos/o/r`. */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** Login of the authenticated user. */
  login: string;
  /** The token the caller authenticated with. */
  token: string;
  /** Absolute URL of this request, used for pagination links. */
  selfUrl: URL;
  body(): Promise<Record<string, any>>;
}

export type Params = Record<string, string>;
export type Handler = (req: ApiRequest, params: Params) => Promise<Reply>;

interface Route {
  method: string;
  regex: RegExp;
  keys: string[];
  docs: string;
  handler: Handler;
}

export type RouteMatch =
  | { kind: 'found'; handler: Handler; params: Params; docs: string }
  | { kind: 'not-found' };

/**
 * A tiny path router: `:name` matches one segment, `*name` the rest of the
 * path (possibly empty). Routes are tried in registration order.
 */
export class Router {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, docs: string, handler: Handler): void {
    const keys: string[] = [];
    const source = pattern
      .split('/')
      .map(segment => {
        if (segment.startsWith(':')) {
          keys.push(segment.slice(1));
          return '([^/]+)';
        }
        if (segment.startsWith('*')) {
          keys.push(segment.slice(1));
          return '?(.*)';
        }
        return segment.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('/');
    this.routes.push({
      method,
      regex: new RegExp(`^${source}/?$`),
      keys,
      docs,
      handler,
    });
  }

  /** Every registered route, for documentation and tests. */
  list(): Array<{ method: string; pattern: string; docs: string }> {
    return this.routes.map(r => ({
      method: r.method,
      pattern: r.regex.source,
      docs: r.docs,
    }));
  }

  match(method: string, path: string): RouteMatch {
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const m = route.regex.exec(path);
      if (!m) continue;
      const params: Params = {};
      route.keys.forEach((key, i) => {
        params[key] = decodeURIComponent(m[i + 1] ?? '');
      });
      return {
        kind: 'found',
        handler: route.handler,
        params,
        docs: route.docs,
      };
    }
    return { kind: 'not-found' };
  }
}
