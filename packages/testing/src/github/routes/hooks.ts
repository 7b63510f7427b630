import { notFound, validationFailed } from '../errors';
import type { HookRecord } from '../model';
import type { Router } from '../router';
import { hook } from '../serialize';
import {
  Deps,
  isRecord,
  json,
  noContent,
  ok,
  paginate,
  repoFor,
} from './common';

const D = 'https://docs.github.com/rest/repos/webhooks';

/** Applies a create/update body's config, events and active flag. */
function applyHookBody(h: HookRecord, body: Record<string, unknown>) {
  if (isRecord(body.config)) {
    const c = body.config;
    if (typeof c.url === 'string') h.config.url = c.url;
    if (c.content_type === 'json' || c.content_type === 'form')
      h.config.content_type = c.content_type;
    if (typeof c.secret === 'string') h.config.secret = c.secret || undefined;
    if (c.insecure_ssl === '1' || c.insecure_ssl === 1)
      h.config.insecure_ssl = '1';
    if (c.insecure_ssl === '0' || c.insecure_ssl === 0)
      h.config.insecure_ssl = '0';
  }
  if (Array.isArray(body.events)) h.events = body.events.map(String);
  if (Array.isArray(body.add_events))
    h.events = [...new Set([...h.events, ...body.add_events.map(String)])];
  if (Array.isArray(body.remove_events))
    h.events = h.events.filter(
      e => !(body.remove_events as unknown[]).includes(e),
    );
  if (typeof body.active === 'boolean') h.active = body.active;
}

/** Repository webhooks; creating one sends a `ping` like GitHub does. */
export function registerHooks(router: Router, deps: Deps): void {
  const find = (hooks: HookRecord[], id: string) => {
    const h = hooks.find(x => String(x.id) === id);
    if (!h) throw notFound();
    return h;
  };

  router.add(
    'POST',
    '/repos/:owner/:repo/hooks',
    `${D}#create-a-repository-webhook`,
    async (req, p) => {
      const repo = repoFor(deps, req, p, 'admin');
      const body = await req.body();
      if (
        !isRecord(body.config) ||
        typeof body.config.url !== 'string' ||
        !body.config.url
      ) {
        throw validationFailed({
          resource: 'Hook',
          code: 'custom',
          message: 'Config must have a url',
        });
      }
      const created = deps.store.now();
      const h: HookRecord = {
        id: deps.store.nextId(),
        name: typeof body.name === 'string' ? body.name : 'web',
        active: true,
        events: ['push'],
        config: { url: '', content_type: 'form', insecure_ssl: '0' },
        createdAt: created,
        updatedAt: created,
        lastResponse: { code: null, status: 'unused', message: null },
      };
      applyHookBody(h, body);
      if (repo.hooks.some(x => x.config.url === h.config.url)) {
        throw validationFailed({
          resource: 'Hook',
          code: 'custom',
          message: 'Hook already exists on this repository',
        });
      }
      repo.hooks.push(h);
      deps.dispatch(repo, 'ping', deps.payloads.ping(repo, h, req.login), h);
      return json(201, hook(h, repo, deps.urls()));
    },
  );

  router.add(
    'GET',
    '/repos/:owner/:repo/hooks',
    `${D}#list-repository-webhooks`,
    async (req, p) => {
      const repo = repoFor(deps, req, p, 'admin');
      return paginate(
        req,
        repo.hooks.map(h => hook(h, repo, deps.urls())),
      );
    },
  );

  router.add(
    'GET',
    '/repos/:owner/:repo/hooks/:id',
    `${D}#get-a-repository-webhook`,
    async (req, p) => {
      const repo = repoFor(deps, req, p, 'admin');
      return ok(hook(find(repo.hooks, p.id), repo, deps.urls()));
    },
  );

  router.add(
    'PATCH',
    '/repos/:owner/:repo/hooks/:id',
    `${D}#update-a-repository-webhook`,
    async (req, p) => {
      const repo = repoFor(deps, req, p, 'admin');
      const h = find(repo.hooks, p.id);
      applyHookBody(h, await req.body());
      h.updatedAt = deps.store.now();
      return ok(hook(h, repo, deps.urls()));
    },
  );

  router.add(
    'DELETE',
    '/repos/:owner/:repo/hooks/:id',
    `${D}#delete-a-repository-webhook`,
    async (req, p) => {
      const repo = repoFor(deps, req, p, 'admin');
      const h = find(repo.hooks, p.id);
      repo.hooks = repo.hooks.filter(x => x !== h);
      return noContent();
    },
  );

  router.add(
    'POST',
    '/repos/:owner/:repo/hooks/:id/pings',
    `${D}#ping-a-repository-webhook`,
    async (req, p) => {
      const repo = repoFor(deps, req, p, 'admin');
      const h = find(repo.hooks, p.id);
      deps.dispatch(repo, 'ping', deps.payloads.ping(repo, h, req.login), h);
      return noContent();
    },
  );
}
