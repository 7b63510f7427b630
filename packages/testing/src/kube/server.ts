import { IncomingMessage, ServerResponse } from 'node:http';
import { TLSSocket } from 'node:tls';
import { parse as parseYaml } from 'yaml';
import {
  SERVER_VERSION,
  apiGroupDoc,
  apiGroupList,
  apiResourceList,
  apiVersions,
} from './discovery';
import { Faults } from './faults';
import { Registry } from './registry';
import { RequestLog } from './requestLog';
import {
  KubeApiError,
  badRequest,
  methodNotAllowed,
  pathNotFound,
  successStatus,
  unauthorized,
  unsupportedMediaType,
} from './status';
import {
  DeleteOptions,
  PatchType,
  PropagationPolicy,
  Store,
  WriteResult,
} from './store';
import { toTable, wantsTable } from './table';
import { KubeObject, ResourceType, apiVersionOf, isObject } from './types';

const MAX_BODY = 3 * 1024 * 1024;

export interface HandlerDeps {
  store: Store;
  registry: Registry;
  faults: Faults;
  log: RequestLog;
  token: string;
  serverAddress: () => string;
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

// Logged before the body is written, so a client that got its answer always finds it in the log.
const recorders = new WeakMap<ServerResponse, () => void>();

function sendJson(
  res: ServerResponse,
  code: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  recorders.get(res)?.();
  res.end(text);
}

function sendError(res: ServerResponse, err: unknown) {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const e =
    err instanceof KubeApiError
      ? err
      : new KubeApiError(
          500,
          'InternalError',
          `Internal error occurred: ${(err as Error)?.message ?? String(err)}`,
        );
  sendJson(res, e.code, e.status, e.headers);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY)
      throw new KubeApiError(
        413,
        'RequestEntityTooLarge',
        'Request entity too large: limit is 3145728',
      );
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(text: string, contentType: string): unknown {
  if (!text.trim()) return undefined;
  try {
    return /yaml/.test(contentType) ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw badRequest(
      `error decoding ${/yaml/.test(contentType) ? 'YAML' : 'JSON'}: ${
        (err as Error).message
      }`,
    );
  }
}

function patchTypeOf(contentType: string): PatchType {
  const ct = contentType.split(';')[0].trim().toLowerCase();
  switch (ct) {
    case 'application/merge-patch+json':
      return 'merge';
    case 'application/strategic-merge-patch+json':
      return 'strategic';
    case 'application/json-patch+json':
      return 'json';
    case 'application/apply-patch+yaml':
    case 'application/apply-patch+json':
      return 'apply';
    default:
      throw unsupportedMediaType();
  }
}

interface ResourceRoute {
  type: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: 'status';
  legacyWatch: boolean;
}

function routeResource(
  registry: Registry,
  group: string,
  version: string,
  path: string[],
): ResourceRoute | undefined {
  let segs = path;
  let legacyWatch = false;
  if (segs[0] === 'watch') {
    legacyWatch = true;
    segs = segs.slice(1);
  }
  let namespace: string | undefined;
  if (
    segs[0] === 'namespaces' &&
    segs.length >= 3 &&
    !(segs.length === 3 && ['status', 'finalize'].includes(segs[2]))
  ) {
    namespace = segs[1];
    segs = segs.slice(2);
  }
  const [plural, name, sub, ...rest] = segs;
  if (!plural || rest.length) return undefined;
  const type = registry.lookup(group, version, plural);
  if (!type) return undefined;
  if (namespace !== undefined && !type.namespaced) return undefined;
  if (sub !== undefined && !(sub === 'status' && type.statusSubresource))
    return undefined;
  return {
    type,
    namespace,
    name,
    subresource: sub ? 'status' : undefined,
    legacyWatch,
  };
}

const userAgentManager = (req: IncomingMessage) =>
  (req.headers['user-agent'] ?? 'unknown').split('/')[0];

/**
 * Who the request authenticates as, the way the API server's union
 * authenticator does: a client certificate the cluster CA signed (its common
 * name is the user) comes first, then the bearer token.
 */
function authenticatedUser(
  req: IncomingMessage,
  expected: string,
): string | undefined {
  const socket = req.socket as TLSSocket;
  if (socket.authorized) {
    const cn = socket.getPeerCertificate?.()?.subject?.CN;
    if (typeof cn === 'string' && cn) return `x509:${cn}`;
  }
  return req.headers.authorization === expected ? 'token' : undefined;
}

/** Creates the request handler of the double. */
export function createHandler(deps: HandlerDeps) {
  const { store, registry, faults, log } = deps;
  const watches = new Set<ServerResponse>();
  const expected = `Bearer ${deps.token}`;

  async function handle(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    query: Record<string, string>,
    user: string | undefined,
  ) {
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (path === '/healthz' || path === '/livez' || path === '/readyz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      recorders.get(res)?.();
      res.end('ok');
      return undefined;
    }
    if (!user) throw unauthorized();

    const fault = faults.decide(req.method ?? 'GET', path);
    if (fault.latencyMs) await sleep(fault.latencyMs);
    if (fault.drop) {
      recorders.get(res)?.();
      req.socket.destroy();
      return undefined;
    }
    if (fault.status) throw faultError(fault.status, fault.retryAfterSeconds);

    const method = req.method ?? 'GET';
    if (path === '/version') return sendJson(res, 200, SERVER_VERSION);
    if (path === '/api')
      return sendJson(res, 200, apiVersions(deps.serverAddress()));
    if (path === '/apis') return sendJson(res, 200, apiGroupList(registry));
    const segs = path.split('/').filter(Boolean);
    let group: string;
    let version: string;
    let rest: string[];
    if (segs[0] === 'api' && segs[1] === 'v1') {
      group = '';
      version = 'v1';
      rest = segs.slice(2);
    } else if (segs[0] === 'apis' && segs.length >= 2) {
      group = segs[1];
      if (segs.length === 2) {
        const doc = apiGroupDoc(registry, group);
        if (!doc) throw pathNotFound();
        return sendJson(res, 200, doc);
      }
      version = segs[2];
      rest = segs.slice(3);
    } else {
      // Includes /openapi/v2 and /openapi/v3: kubectl falls back without them.
      throw pathNotFound();
    }
    if (rest.length === 0) {
      const list = apiResourceList(registry, group, version);
      if (!list) throw pathNotFound();
      return sendJson(res, 200, list);
    }
    const route = routeResource(registry, group, version, rest);
    if (!route) throw pathNotFound();
    return handleResource(req, res, route, method, query);
  }

  async function handleResource(
    req: IncomingMessage,
    res: ServerResponse,
    r: ResourceRoute,
    method: string,
    query: Record<string, string>,
  ) {
    const { type: t, namespace, name, subresource } = r;
    const contentType = String(
      req.headers['content-type'] ?? 'application/json',
    );
    const writeOpts = {
      fieldManager: query.fieldManager || undefined,
      manager: userAgentManager(req),
      dryRun: query.dryRun === 'All',
      strict: query.fieldValidation === 'Strict',
      subresource,
    };
    const respondWrite = (code: number, w: WriteResult) => {
      const headers: Record<string, string> = {};
      if (w.warnings.length)
        headers.Warning = w.warnings
          .map(m => `299 - ${JSON.stringify(m)}`)
          .join(', ');
      sendJson(res, code, w.object, headers);
    };

    if (!name) {
      const watch =
        r.legacyWatch || query.watch === 'true' || query.watch === '1';
      if (method === 'GET' && watch)
        return startWatch(req, res, t, namespace, query);
      if (method === 'GET') {
        const limit = query.limit ? Number(query.limit) : undefined;
        const result = store.list(t, namespace, {
          labelSelector: query.labelSelector,
          fieldSelector: query.fieldSelector,
          limit,
          continue: query.continue,
        });
        const list = {
          kind: t.listKind,
          apiVersion: apiVersionOf(t.group, t.version),
          metadata: {
            resourceVersion: result.resourceVersion,
            ...(result.continue
              ? {
                  continue: result.continue,
                  remainingItemCount: result.remainingItemCount,
                }
              : {}),
          },
          items: result.items,
        };
        return sendJson(
          res,
          200,
          wantsTable(req.headers.accept) ? toTable(t, list) : list,
        );
      }
      if (t.namespaced && namespace === undefined) throw methodNotAllowed();
      if (method === 'POST') {
        const body = parseBody(await readBody(req), contentType);
        return respondWrite(201, store.create(t, namespace, body, writeOpts));
      }
      if (method === 'DELETE') {
        const del = deleteOptions(
          parseBody(await readBody(req), contentType),
          query,
        );
        const items = store.deleteCollection(t, namespace, {
          ...del,
          labelSelector: query.labelSelector,
          fieldSelector: query.fieldSelector,
        });
        return sendJson(res, 200, {
          kind: t.listKind,
          apiVersion: apiVersionOf(t.group, t.version),
          metadata: { resourceVersion: store.resourceVersion },
          items,
        });
      }
      throw methodNotAllowed();
    }
    if (t.namespaced && namespace === undefined) throw pathNotFound();
    switch (method) {
      case 'GET': {
        const obj = store.get(t, namespace, name);
        return sendJson(
          res,
          200,
          wantsTable(req.headers.accept)
            ? toTable(t, {
                items: [obj],
                metadata: { resourceVersion: obj.metadata?.resourceVersion },
              })
            : obj,
        );
      }
      case 'PUT': {
        const body = parseBody(await readBody(req), contentType);
        return respondWrite(
          200,
          store.update(t, namespace, name, body, writeOpts),
        );
      }
      case 'PATCH': {
        let type = patchTypeOf(contentType);
        // Custom resources have no strategic-merge schema (as with the real server).
        if (type === 'strategic' && t.schema) throw unsupportedMediaType();
        if (type === 'strategic') type = 'merge';
        const text = await readBody(req);
        const body = parseBody(text, type === 'apply' ? 'yaml' : contentType);
        const existed = !!store.find(t, namespace, name);
        const force =
          query.force === undefined ? undefined : query.force === 'true';
        const w = store.patch(t, namespace, name, type, body, {
          ...writeOpts,
          force,
        });
        return respondWrite(type === 'apply' && !existed ? 201 : 200, w);
      }
      case 'DELETE': {
        if (subresource) throw methodNotAllowed();
        const del = deleteOptions(
          parseBody(await readBody(req), contentType),
          query,
        );
        const { object, removed } = store.delete(t, namespace, name, del);
        if (removed && !t.returnDeletedObject)
          return sendJson(
            res,
            200,
            successStatus(t, name, object.metadata?.uid),
          );
        return sendJson(res, 200, object);
      }
      default:
        throw methodNotAllowed();
    }
  }

  function startWatch(
    req: IncomingMessage,
    res: ServerResponse,
    t: ResourceType,
    namespace: string | undefined,
    query: Record<string, string>,
  ) {
    let ended = false;
    let timer: NodeJS.Timeout | undefined;
    let stop: () => void = () => undefined;
    const begin = () => {
      if (!res.headersSent) {
        res.writeHead(200, {
          'Content-Type': 'application/json',
          'Cache-Control': 'no-cache, private',
        });
        res.flushHeaders();
      }
    };
    const end = () => {
      if (ended) return;
      ended = true;
      stop();
      clearTimeout(timer);
      watches.delete(res);
      begin();
      res.end();
    };
    stop = store.watch(
      t,
      namespace,
      {
        resourceVersion: query.resourceVersion,
        labelSelector: query.labelSelector,
        fieldSelector: query.fieldSelector,
      },
      {
        send: (type, object) => {
          if (ended) return;
          begin();
          res.write(`${JSON.stringify({ type, object })}\n`);
        },
        close: end,
      },
    );
    if (ended) {
      stop();
      return;
    }
    begin();
    watches.add(res);
    const timeout = Number(query.timeoutSeconds);
    if (timeout > 0) timer = setTimeout(end, timeout * 1000);
    req.on('close', end);
    res.on('close', end);
  }

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const started = Date.now();
    const user = authenticatedUser(req, expected);
    const url = new URL(req.url ?? '/', 'https://localhost');
    const query: Record<string, string> = {};
    url.searchParams.forEach((v, k) => {
      query[k] = v;
    });
    const watch =
      query.watch === 'true' ||
      query.watch === '1' ||
      url.pathname.includes('/watch/');
    let logged = false;
    const record = () => {
      if (logged) return;
      logged = true;
      log.add({
        method: req.method ?? 'GET',
        path: url.pathname,
        query,
        status: res.headersSent ? res.statusCode : 0,
        durationMs: Date.now() - started,
        timestamp: started,
        watch,
        userAgent: req.headers['user-agent'],
        user,
      });
    };
    recorders.set(res, record);
    // Watches are logged when the stream ends; dropped sockets when closed.
    res.on('close', record);
    handle(req, res, url, query, user).catch(err => sendError(res, err));
  };

  /** Ends every open watch stream (clients see a normal end of stream). */
  const closeWatches = () => {
    store.closeWatches();
    for (const res of watches) res.end();
    watches.clear();
  };

  return { handler, closeWatches };
}

function faultError(status: number, retryAfterSeconds = 1): KubeApiError {
  switch (status) {
    case 429:
      return new KubeApiError(
        429,
        'TooManyRequests',
        'Too many requests, please try again later.',
        { retryAfterSeconds },
        { 'Retry-After': String(retryAfterSeconds) },
      );
    case 503:
      return new KubeApiError(
        503,
        'ServiceUnavailable',
        'The service is temporarily unavailable: injected fault',
        { retryAfterSeconds },
        { 'Retry-After': String(retryAfterSeconds) },
      );
    case 500:
      return new KubeApiError(
        500,
        'InternalError',
        'Internal error occurred: injected fault',
        { causes: [{ message: 'injected fault' }] },
      );
    default:
      return new KubeApiError(status, 'Unknown', `injected fault (${status})`);
  }
}

function deleteOptions(
  body: unknown,
  query: Record<string, string>,
): DeleteOptions {
  const b = isObject(body) ? (body as Record<string, any>) : {};
  let policy = (query.propagationPolicy || b.propagationPolicy) as
    | PropagationPolicy
    | undefined;
  const orphan = query.orphanDependents ?? b.orphanDependents;
  if (!policy && orphan !== undefined)
    policy = String(orphan) === 'true' ? 'Orphan' : 'Background';
  if (policy && !['Background', 'Foreground', 'Orphan'].includes(policy)) {
    throw new KubeApiError(
      422,
      'Invalid',
      `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`,
      {
        group: 'meta.k8s.io',
        kind: 'DeleteOptions',
        causes: [
          {
            reason: 'FieldValueNotSupported',
            message: `Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`,
            field: 'propagationPolicy',
          },
        ],
      },
    );
  }
  return {
    propagationPolicy: policy,
    preconditions: isObject(b.preconditions) ? b.preconditions : undefined,
    dryRun:
      query.dryRun === 'All' ||
      (Array.isArray(b.dryRun) && b.dryRun.includes('All')),
  };
}

export type { KubeObject };
