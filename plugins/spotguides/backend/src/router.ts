import type {
  DatabaseService,
  HttpAuthService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { databaseHealth } from '@pipeline-portal/backend-health';
import type {
  ExplainRequest,
  PipelineRunSummary,
} from '@pipeline-portal/plugin-spotguides-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { runLink } from './engine/labels';
import { ExplainService } from './service/ExplainService';
import { DeliveryStore, RunStore } from './store';

export interface RouterOptions {
  logger: LoggerService;
  database: DatabaseService;
  httpAuth: HttpAuthService;
  deliveries: DeliveryStore;
  runs: RunStore;
  explain: ExplainService;
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

/** A 400 naming each field at fault: a JSON pointer for body fields. */
function parse<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: 'body' | 'query',
): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.map(i => {
    const path = i.path.map(String);
    const at =
      where === 'body' ? `/${path.join('/')}` : path.join('.') || 'query';
    return `${at}: ${i.message}`;
  });
  throw new InputError(`invalid ${where}: ${issues.join('; ')}`);
}

export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { logger, database, httpAuth, deliveries, runs, explain } = options;
  const router = Router();
  router.use(express.json({ limit: '64kb' }));

  // Liveness of the plugin and its database, for probes.
  router.get('/health', databaseHealth({ logger, database }));

  router.get('/deliveries', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    const query = parse(deliveriesQuery, req.query, 'query');
    res.json({ items: await deliveries.list(query) });
  });

  router.post('/explain', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    const body: ExplainRequest = parse(explainBody, req.body, 'body');
    res.json(await explain.explain(body));
  });

  router.get('/runs', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    const { entityRef } = parse(runsQuery, req.query, 'query');
    let ref: string;
    try {
      ref = stringifyEntityRef(
        parseEntityRef(entityRef, { defaultKind: 'component' }),
      ).toLowerCase();
    } catch (error) {
      throw new InputError(`entityRef: ${(error as Error).message}`);
    }
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

  return router;
}
