import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import http, { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { WebhookEventName } from '@octokit/webhooks-types';
import type { GitHubDouble, GitHubDoubleOptions } from './api';
import {
  ApiError,
  DOCS,
  RATE_LIMIT_DOCS,
  SECONDARY_RATE_LIMIT_DOCS,
} from './errors';
import { Faults, GitHubFault, RequestLog, RequestLogEntry } from './faults';
import { collaborationHelpers, issueCommentPayload } from './helpers';
import * as g from './git';
import { HookRecord, RepoRecord, Store } from './model';
import { afterPush } from './pushes';
import { RateLimiter, rateLimitHeaders } from './rateLimit';
import { createRepo } from './repoOps';
import { ApiRequest, Reply, Router } from './router';
import { registerAccounts } from './routes/accounts';
import { registerChecks } from './routes/checks';
import { Deps } from './routes/common';
import { registerDeployments } from './routes/deployments';
import { registerForks } from './routes/forks';
import { registerGitData } from './routes/gitData';
import { registerHooks } from './routes/hooks';
import { registerIssues } from './routes/issues';
import { registerPulls } from './routes/pulls';
import { registerRepos } from './routes/repos';
import { GIT_PATH, serveGit } from './smartHttp';
import type { Urls } from './serialize';
import { deliver, Delivery, hookWants, WebhookPayloads } from './webhooks';

export type { GitHubDouble, GitHubDoubleOptions } from './api';

const API_PREFIX = '/api/v3';
const FAULT_MESSAGES = {
  500: 'Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

const requestId = () =>
  [4, 4, 6, 6, 8]
    .map(n =>
      randomBytes(n / 2)
        .toString('hex')
        .toUpperCase(),
    )
    .join(':');

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function apiToken(header: string | undefined): string | undefined {
  const m = /^(?:token|bearer)\s+(\S+)$/i.exec(header ?? '');
  return m?.[1];
}

export async function startGitHub(
  options: GitHubDoubleOptions = {},
): Promise<GitHubDouble> {
  const store = new Store();
  if (options.clock !== undefined) store.clock.set(options.clock);
  const gitRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'github-double-'));
  const rate = new RateLimiter(options.rateLimit ?? 5000);
  const faults = new Faults<GitHubFault>();
  const log = new RequestLog(options.maxLogEntries);
  const deliveries: Delivery[] = [];
  const pending = new Set<Promise<unknown>>();
  const autoPush = options.autoDeliverPushEvents ?? true;
  let urls: Urls = { api: '', web: '' };

  const login = options.user ?? 'portal-user';
  const user = store.addAccount(login, 'User', 'Portal User');
  const token = options.token ?? `ghp_${randomBytes(18).toString('hex')}`;
  store.tokens.set(token, user.login);
  for (const org of options.orgs ?? ['portal-org']) {
    store.addAccount(org, 'Organization', org).members.add(login.toLowerCase());
  }

  const payloads = new WebhookPayloads(store, () => urls);

  const deliverTo = (
    repo: RepoRecord,
    h: HookRecord,
    event: string,
    payload: object,
  ) => {
    const p = deliver(
      {
        url: h.config.url,
        secret: h.config.secret,
        contentType: h.config.content_type,
        hookId: h.id,
        targetId: repo.id,
      },
      event as WebhookEventName,
      payload as never,
    ).then(d => {
      deliveries.push(d);
      h.lastResponse = d.status
        ? {
            code: d.status,
            status: d.status < 300 ? 'active' : 'failed',
            message: d.error ?? 'OK',
          }
        : { code: null, status: 'failed', message: d.error ?? null };
      return d;
    });
    pending.add(p);
    void p.finally(() => pending.delete(p));
    return p;
  };

  const dispatchAll = (
    repo: RepoRecord,
    event: string,
    payload: object | Promise<object>,
    only?: HookRecord,
  ) => {
    const targets = only ? [only] : repo.hooks.filter(h => hookWants(h, event));
    // The payload is being built already: with no hook to deliver it to, it
    // is still awaited, so `close()` never removes the repository under it.
    const body = Promise.resolve(payload);
    if (!targets.length) return body.then(() => [] as Delivery[]);
    return body.then(b =>
      Promise.all(targets.map(h => deliverTo(repo, h, event, b))),
    );
  };

  const deps: Deps = {
    store,
    urls: () => urls,
    rate,
    payloads,
    gitRoot,
    dispatch: (repo, event, payload, only) => {
      const p = dispatchAll(repo, event, payload, only).catch(() => []);
      pending.add(p);
      void p.finally(() => pending.delete(p));
    },
  };

  // Specific `/commits/{ref}/...` routes go before the `/commits/{ref}` catch-all.
  const router = new Router();
  registerAccounts(router, deps);
  registerChecks(router, deps);
  registerDeployments(router, deps);
  registerHooks(router, deps);
  registerRepos(router, deps);
  registerGitData(router, deps);
  registerPulls(router, deps);
  registerIssues(router, deps);
  registerForks(router, deps);

  const onPush = afterPush(deps, autoPush);

  const send = (
    req: IncomingMessage,
    res: ServerResponse,
    reply: Reply,
    ctx: { token?: string; reqId: string },
  ): number => {
    const headers: Record<string, string> = {
      'x-github-request-id': ctx.reqId,
      'x-github-media-type': 'github.v3; format=json',
      'x-github-api-version-selected': '2022-11-28',
      'access-control-allow-origin': '*',
      ...reply.headers,
    };
    let status = reply.status;
    let payload: Buffer | undefined;
    if (reply.raw) {
      payload = reply.raw;
    } else if (reply.body !== undefined) {
      payload = Buffer.from(JSON.stringify(reply.body));
      headers['content-type'] ??= 'application/json; charset=utf-8';
    }
    if (req.method === 'GET' && status === 200 && payload) {
      const etag = `W/"${createHash('sha1').update(payload).digest('hex')}"`;
      headers.etag = etag;
      headers['cache-control'] = 'private, max-age=60, s-maxage=60';
      headers.vary = 'Accept, Authorization, Cookie, X-GitHub-OTP';
      const inm = req.headers['if-none-match'];
      if (
        inm &&
        inm.split(',').some(t => t.trim().replace(/^W\//, '') === etag.slice(2))
      ) {
        // Conditional hits are free, as on GitHub.
        status = 304;
        payload = undefined;
      }
    }
    if (ctx.token) {
      if (status !== 304) rate.spend(ctx.token);
      Object.assign(headers, rateLimitHeaders(rate.snapshot(ctx.token)));
    }
    if (payload && status !== 304 && status !== 204)
      headers['content-length'] = String(payload.length);
    res.writeHead(status, headers);
    res.end(status === 304 || status === 204 ? undefined : payload);
    return status;
  };

  const errorReply = (e: ApiError, docs: string): Reply => ({
    status: e.status,
    headers: e.extra.headers,
    body: {
      message: e.message,
      ...(e.extra.errors ? { errors: e.extra.errors } : {}),
      documentation_url: e.extra.documentationUrl ?? docs,
      status: String(e.status),
    },
  });

  const handle = async (
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<RequestLogEntry> => {
    const method = req.method ?? 'GET';
    const rawUrl = req.url ?? '/';
    const pathname = rawUrl.split('?')[0];
    const entry: RequestLogEntry = { method, path: pathname, status: 0, ms: 0 };
    const reqId = requestId();

    const fault = faults.take(method, pathname);
    if (fault?.latencyMs)
      await new Promise(r => setTimeout(r, fault.latencyMs));
    if (fault?.drop) {
      req.socket.destroy();
      return entry;
    }
    const gitMatch = GIT_PATH.exec(pathname);
    if (fault?.status) {
      entry.status = send(
        req,
        res,
        errorReply(
          new ApiError(fault.status, FAULT_MESSAGES[fault.status]),
          DOCS,
        ),
        { reqId },
      );
      return entry;
    }

    if (gitMatch) {
      const out = await serveGit(req, res, gitMatch, store, gitRoot, onPush);
      entry.status = out.status;
      entry.login = out.login;
      return entry;
    }

    const apiPath = pathname.startsWith(API_PREFIX)
      ? pathname.slice(API_PREFIX.length) || '/'
      : pathname;
    const tok = apiToken(req.headers.authorization);
    const who = tok ? store.tokens.get(tok) : undefined;
    if (!tok || !who) {
      await readBody(req);
      entry.status = send(
        req,
        res,
        errorReply(
          new ApiError(
            401,
            tok ? 'Bad credentials' : 'Requires authentication',
          ),
          DOCS,
        ),
        { reqId },
      );
      return entry;
    }
    entry.login = who;
    const ctx = { token: tok, reqId };
    if (fault?.secondaryRateLimit) {
      await readBody(req);
      const s = fault.secondaryRateLimit;
      entry.status = send(
        req,
        res,
        {
          ...errorReply(
            new ApiError(
              s.status ?? 403,
              `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${reqId}.`,
            ),
            SECONDARY_RATE_LIMIT_DOCS,
          ),
          headers: { 'retry-after': String(s.retryAfter) },
        },
        { reqId, token: tok },
      );
      return entry;
    }
    if (rate.exhausted(tok)) {
      await readBody(req);
      const u = store.user(who)!;
      const stamp = new Date()
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ' UTC');
      const reply = errorReply(
        new ApiError(
          403,
          `API rate limit exceeded for user ID ${u.id}. If you reach out to GitHub Support for help, please include the request ID ${reqId} and timestamp ${stamp}.`,
        ),
        RATE_LIMIT_DOCS,
      );
      reply.headers = rateLimitHeaders(rate.snapshot(tok));
      entry.status = send(req, res, reply, { reqId });
      return entry;
    }

    const match = router.match(method, apiPath);
    let bodyCache: Promise<Record<string, any>> | undefined;
    const apiReq: ApiRequest = {
      method,
      path: apiPath,
      query: new URL(rawUrl, 'http://x').searchParams,
      headers: req.headers,
      login: who,
      token: tok,
      selfUrl: new URL(`${urls.web}${rawUrl}`),
      body: () =>
        (bodyCache ??= readBody(req).then(buf => {
          if (!buf.length) return {};
          try {
            const parsed = JSON.parse(buf.toString('utf8'));
            if (
              typeof parsed !== 'object' ||
              parsed === null ||
              Array.isArray(parsed)
            )
              throw new Error();
            return parsed;
          } catch {
            throw new ApiError(400, 'Problems parsing JSON');
          }
        })),
    };
    let reply: Reply;
    const docs = match.kind === 'found' ? match.docs : DOCS;
    try {
      if (match.kind !== 'found') throw new ApiError(404, 'Not Found');
      reply = await match.handler(apiReq, match.params);
    } catch (e) {
      if (e instanceof ApiError) {
        reply = errorReply(e, docs);
      } else {
        reply = errorReply(
          new ApiError(
            500,
            `Server Error: ${e instanceof Error ? e.message : e}`,
          ),
          docs,
        );
      }
    }
    // Unread bodies (e.g. on 404) must be drained before answering.
    if (!bodyCache) await readBody(req);
    entry.status = send(req, res, reply, ctx);
    return entry;
  };

  const server = http.createServer((req, res) => {
    const started = process.hrtime.bigint();
    handle(req, res)
      .catch(e => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              message: `Server Error: ${e instanceof Error ? e.message : e}`,
            }),
          );
        } else res.destroy();
        return {
          method: req.method ?? 'GET',
          path: req.url ?? '/',
          status: 500,
          ms: 0,
        } as RequestLogEntry;
      })
      .then(entry => {
        entry.ms = Number(process.hrtime.bigint() - started) / 1e6;
        log.push(entry);
      });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const web = `http://127.0.0.1:${port}`;
  urls = { api: `${web}${API_PREFIX}`, web };

  const webhooksIdle = async () => {
    while (pending.size) await Promise.allSettled([...pending]);
  };

  const repoOrThrow = (owner: string, name: string) => {
    const repo = store.repo(owner, name);
    if (!repo) throw new Error(`no repository ${owner}/${name}`);
    return repo;
  };

  return {
    ...collaborationHelpers(deps, login, repoOrThrow),
    url: urls.api,
    webUrl: web,
    host: `127.0.0.1:${port}`,
    token,
    login,
    addUser(newLogin, opts = {}) {
      store.addAccount(newLogin, 'User', opts.name ?? null);
      const t = opts.token ?? `ghp_${randomBytes(18).toString('hex')}`;
      store.tokens.set(t, store.user(newLogin)!.login);
      return t;
    },
    addOrg(orgLogin, opts = {}) {
      const org = store.addAccount(orgLogin, 'Organization', orgLogin);
      for (const m of opts.members ?? [login]) org.members.add(m.toLowerCase());
    },
    addTeam(org, slug, opts = {}) {
      if (!store.user(org)) throw new Error(`no organization ${org}`);
      store.teams.set(`${org}/${slug}`.toLowerCase(), {
        id: store.nextId(),
        org,
        slug,
        name: slug,
        members: new Set((opts.members ?? []).map(m => m.toLowerCase())),
      });
    },
    async createRepo(owner, name, opts = {}) {
      const account = store.user(owner);
      if (!account) throw new Error(`no account ${owner}`);
      return createRepo(
        store,
        gitRoot,
        account,
        name,
        opts.creator ?? login,
        opts,
      );
    },
    repo: (owner, name) => store.repo(owner, name),
    cloneUrl(owner, name, t = token) {
      const repo = repoOrThrow(owner, name);
      return `http://x-access-token:${t}@127.0.0.1:${port}/${repo.owner.login}/${repo.name}.git`;
    },
    async commitFile(owner, name, file) {
      const repo = repoOrThrow(owner, name);
      const branch = file.branch ?? repo.defaultBranch;
      const parent = await g.resolveCommit(repo.gitDir, `refs/heads/${branch}`);
      const by = file.author ? store.user(file.author) : user;
      if (!by) throw new Error(`no account ${file.author}`);
      const { commit } = await g.commitFile(repo.gitDir, {
        branch,
        parent,
        filePath: file.path,
        content: Buffer.from(file.content),
        message: file.message ?? `Update ${file.path}`,
        author: { name: by.name ?? by.login, email: by.email ?? '' },
      });
      await onPush(
        repo,
        [
          {
            ref: `refs/heads/${branch}`,
            before: parent ?? g.ZERO_SHA,
            after: commit,
          },
        ],
        by.login,
      );
      return commit;
    },
    headSha: (owner, name, branch) => {
      const repo = repoOrThrow(owner, name);
      return g.resolveCommit(
        repo.gitDir,
        `refs/heads/${branch ?? repo.defaultBranch}`,
      );
    },
    async readFile(owner, name, filePath, ref) {
      const repo = repoOrThrow(owner, name);
      const sha = await g.resolveCommit(repo.gitDir, ref ?? repo.defaultBranch);
      const entry = sha
        ? await g.statPath(repo.gitDir, sha, filePath)
        : undefined;
      if (!entry || entry.type !== 'blob') return undefined;
      return (await g.readBlob(repo.gitDir, entry.sha)).toString('utf8');
    },
    rateLimit: {
      set: (limit, opts = {}) => rate.set(opts.token, limit, opts.used),
      snapshot: (t = token) => rate.snapshot(t),
      reset: () => rate.reset(),
    },
    faults,
    get requests() {
      return log.entries;
    },
    deliveries,
    async sendWebhook(target, event, payload) {
      const d = await deliver(target, event, payload);
      deliveries.push(d);
      return d;
    },
    deliverToHooks: (owner, name, event, payload) =>
      dispatchAll(repoOrThrow(owner, name), event, payload),
    webhooks: {
      push: (owner, name, opts = {}) =>
        payloads.push(repoOrThrow(owner, name), {
          ...opts,
          sender: opts.sender ?? login,
        }),
      create: (owner, name, opts) =>
        payloads.create(repoOrThrow(owner, name), {
          ...opts,
          sender: opts.sender ?? login,
        }),
      deployment: (owner, name, id) =>
        payloads.deployment(repoOrThrow(owner, name), id, login),
      pullRequest: (owner, name, opts) =>
        payloads.pullRequest(repoOrThrow(owner, name), opts, login),
      issueComment: issueCommentPayload(deps, repoOrThrow),
      ping(owner, name, hookId) {
        const repo = repoOrThrow(owner, name);
        const h = repo.hooks.find(x => x.id === hookId);
        if (!h) throw new Error(`no hook ${hookId}`);
        return payloads.ping(repo, h, login);
      },
    },
    webhooksIdle,
    async close() {
      await webhooksIdle();
      await new Promise<void>(resolve => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await fs.rm(gitRoot, { recursive: true, force: true });
    },
  };
}
