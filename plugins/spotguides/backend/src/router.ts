import type {
  DatabaseService,
  HttpAuthService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { databaseHealth } from '@pipeline-portal/backend-health';
import {
  ExplainRequest,
  PipelineRunSummary,
  spotguidesDeliveryReadPermission,
  spotguidesExplainPermission,
  spotguidesRunReadPermission,
} from '@pipeline-portal/plugin-spotguides-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { runLink } from './engine/labels';
import { AccessScope } from './service/AccessScope';
import { BindingService } from './service/BindingService';
import { ExplainService } from './service/ExplainService';
import { DeliveryStore, RunStore } from './store';

export interface RouterOptions {
  logger: LoggerService;
  database: DatabaseService;
  httpAuth: HttpAuthService;
  deliveries: DeliveryStore;
  runs: RunStore;
  explain: ExplainService;
  bindings: BindingService;
  scope: AccessScope;
  appBaseUrl: string;
}

const repository = z
  .string()
  .regex(/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/, 'must be owner/name');

const deliveriesQuery = z.object({
  repository: repository.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

const explainBody = z.object({
  repository,
  sha: z
    .string()
    .regex(/^[0-9a-f]{7,40}$/i, 'must be a commit sha (7 to 40 hex digits)'),
  event: z.enum(['push', 'pull_request', 'deployment']),
  ref: z.string().min(1).max(255).optional(),
  action: z.string().min(1).max(64).optional(),
  baseRef: z.string().min(1).max(255).optional(),
});

const runsQuery = z.object({ entityRef: z.string().min(1).max(255) });

const repositoryParams = z.object({
  owner: z.string().regex(/^[A-Za-z0-9-]{1,100}$/, 'must be a GitHub owner'),
  name: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,100}$/, 'must be a GitHub repository name'),
});

const bindBody = z.strictObject({
  entityRef: z.string().min(1).max(255),
  owner: z.string().min(1).max(255).optional(),
  target: z
    .strictObject({
      cluster: z.string().min(1).max(63),
      namespace: z.string().min(1).max(63),
    })
    .optional(),
});

/** A 400 naming each field at fault: a JSON pointer for body fields. */
function parse<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: 'body' | 'query' | 'path',
): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.map(i => {
    const path = i.path.map(String);
    const at =
      where === 'body' ? `/${path.join('/')}` : path.join('.') || where;
    return `${at}: ${i.message}`;
  });
  throw new InputError(`invalid ${where}: ${issues.join('; ')}`);
}

export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { logger, database, httpAuth, deliveries, runs, explain, scope } =
    options;
  const router = Router();
  router.use(express.json({ limit: '64kb' }));
  // Spotguides data belongs to people's components: other plugins get none.
  const user = (req: express.Request) =>
    httpAuth.credentials(req, { allow: ['user'] });

  // Liveness of the plugin and its database, for probes.
  router.get('/health', databaseHealth({ logger, database }));

  router.get('/deliveries', async (req, res) => {
    const credentials = await user(req);
    const query = parse(deliveriesQuery, req.query, 'query');
    const unclaimed = await scope.seesUnclaimed(credentials);
    if (query.repository) {
      const claimants = await scope.readableClaimants(
        query.repository,
        credentials,
      );
      const allowed = await scope.allowedOn(
        spotguidesDeliveryReadPermission,
        claimants.map(c => c.entityRef),
        credentials,
      );
      if (!allowed.length && !unclaimed) {
        throw new NotFoundError(
          `no component you may read claims ${query.repository}`,
        );
      }
      res.json({ items: await deliveries.list(query) });
      return;
    }
    if (unclaimed) {
      res.json({ items: await deliveries.list(query) });
      return;
    }
    const readable = await scope.readableRepositories(credentials);
    const refs = [...new Set([...readable.values()].flat())];
    const allowed = new Set(
      await scope.allowedOn(
        spotguidesDeliveryReadPermission,
        refs,
        credentials,
      ),
    );
    const repositories = [...readable]
      .filter(([, owners]) => owners.some(ref => allowed.has(ref)))
      .map(([slug]) => slug);
    res.json({ items: await deliveries.list({ ...query, repositories }) });
  });

  router.post('/explain', async (req, res) => {
    const credentials = await user(req);
    const body: ExplainRequest = parse(explainBody, req.body, 'body');
    // Nothing is read from GitHub for a repository the caller cannot see.
    const claimants = await scope.readableClaimants(
      body.repository,
      credentials,
    );
    if (!claimants.length) {
      throw new NotFoundError(
        `no component you may read claims ${body.repository}`,
      );
    }
    const allowed = await scope.allowedOn(
      spotguidesExplainPermission,
      claimants.map(c => c.entityRef),
      credentials,
    );
    if (!allowed.length) {
      throw new NotAllowedError(`you may not explain ${body.repository}`);
    }
    res.json(await explain.explain(body));
  });

  router.get('/runs', async (req, res) => {
    const credentials = await user(req);
    const { entityRef } = parse(runsQuery, req.query, 'query');
    let ref: string;
    try {
      ref = stringifyEntityRef(
        parseEntityRef(entityRef, { defaultKind: 'component' }),
      ).toLowerCase();
    } catch (error) {
      throw new InputError(`entityRef: ${(error as Error).message}`);
    }
    if (!(await scope.readable(ref, credentials))) {
      throw new NotFoundError(`no entity ${ref} that you may read`);
    }
    const [allowed] = await scope.allowedOn(
      spotguidesRunReadPermission,
      [ref],
      credentials,
    );
    if (!allowed) throw new NotAllowedError(`you may not read runs of ${ref}`);
    const items: PipelineRunSummary[] = (await runs.listByEntity(ref)).map(
      r => ({
        name: r.name,
        namespace: r.namespace,
        cluster: r.cluster,
        pipeline: r.pipeline,
        status: r.status,
        sha: r.sha,
        ...(r.ref ? { ref: r.ref } : {}),
        event: r.event,
        startedAt: r.startedAt ?? r.createdAt,
        ...(r.completedAt ? { completedAt: r.completedAt } : {}),
        link: runLink(options.appBaseUrl, r),
      }),
    );
    res.json({ items });
  });

  router.get('/repositories/:owner/:name/binding', async (req, res) => {
    const credentials = await user(req);
    const { owner, name } = parse(repositoryParams, req.params, 'path');
    res.json(await options.bindings.get(`${owner}/${name}`, credentials));
  });

  // Whether the caller may manage the repository (its portal webhook):
  // asked by scaffolder actions before they write to GitHub.
  router.get('/repositories/:owner/:name/management', async (req, res) => {
    const credentials = await user(req);
    const { owner, name } = parse(repositoryParams, req.params, 'path');
    res.json(
      await options.bindings.management(`${owner}/${name}`, credentials),
    );
  });

  router.put('/repositories/:owner/:name/binding', async (req, res) => {
    const credentials = await user(req);
    const { owner, name } = parse(repositoryParams, req.params, 'path');
    const body = parse(bindBody, req.body, 'body');
    res.json(
      await options.bindings.bind(
        { ...body, repository: `${owner}/${name}` },
        credentials,
      ),
    );
  });

  router.delete('/repositories/:owner/:name/binding', async (req, res) => {
    const credentials = await user(req);
    const { owner, name } = parse(repositoryParams, req.params, 'path');
    await options.bindings.unbind(`${owner}/${name}`, credentials);
    res.status(204).end();
  });

  return router;
}
