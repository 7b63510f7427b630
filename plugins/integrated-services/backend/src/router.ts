import {
  DatabaseService,
  HttpAuthService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError } from '@backstage/errors';
import { databaseHealth } from '@pipeline-portal/backend-health';
import {
  ActivateRequest,
  integratedServiceActivatePermission,
  integratedServiceDeactivatePermission,
  integratedServiceReadPermission,
  integratedServiceUpdatePermission,
} from '@pipeline-portal/plugin-integrated-services-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { InstanceAuthorization } from './permissions/authorization';
import { IntegratedServices } from './service/IntegratedServices';

export interface RouterOptions {
  logger: LoggerService;
  database: DatabaseService;
  httpAuth: HttpAuthService;
  authorization: InstanceAuthorization;
  service: IntegratedServices;
}

const name = z
  .string()
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be an RFC 1123 label');
const phases = [
  'Pending',
  'Installing',
  'Upgrading',
  'Ready',
  'Failed',
  'Disabled',
  'Deleting',
] as const;

const listQuery = z
  .object({
    service: name.optional(),
    version: z.string().max(64).optional(),
    phase: z.enum(phases).optional(),
    drift: z.enum(['true', 'false']).optional(),
  })
  .strict();

const planQuery = z.object({ from: z.string().min(1).max(64) }).strict();

/** The body of PUT and preview; spec and overrides are checked against the version's schema. */
const activateBody = z
  .object({
    version: z.string().max(64).optional(),
    spec: z.unknown().optional(),
    overrides: z.unknown().optional(),
    enabled: z.boolean().optional(),
    adopt: z.boolean().optional(),
  })
  .strict();

/** Parses with a zod schema; a 400 naming each bad field by JSON pointer otherwise. */
function parse<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: string,
): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) {
    const issues = result.error.issues.map(i => {
      const extra =
        i.code === 'unrecognized_keys' ? `/${i.keys.join(',')}` : '';
      return `${i.path.map(p => `/${String(p)}`).join('')}${extra} ${
        i.message
      }`;
    });
    throw new InputError(`invalid ${where}: ${issues.join('; ')}`);
  }
  return result.data;
}

export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { logger, database, httpAuth, authorization, service } = options;
  const router = Router();
  router.use(express.json({ limit: '512kb' }));

  router.get('/health', databaseHealth({ logger, database }));

  const caller = (req: express.Request) =>
    httpAuth.credentials(req, { allow: ['user', 'service'] });
  // Changes are made for a person: another plugin acting on its own behalf
  // activates, previews, changes or deactivates nothing (scaffolder actions
  // pass the user).
  const person = (req: express.Request) =>
    httpAuth.credentials(req, { allow: ['user'] });
  const param = (req: express.Request, key: string) =>
    parse(name, req.params[key], `${key} in path`);

  router.get('/services', async (req, res) => {
    await caller(req);
    res.json(await service.listServices());
  });

  router.get('/services/:service', async (req, res) => {
    await caller(req);
    res.json(await service.getService(param(req, 'service')));
  });

  router.get('/services/:service/plan', async (req, res) => {
    await caller(req);
    const { from } = parse(planQuery, req.query, 'query');
    res.json(await service.plan(param(req, 'service'), from));
  });

  router.get('/instances', async (req, res) => {
    const credentials = await caller(req);
    const query = parse(listQuery, req.query, 'query');
    const visible = await authorization.visible(
      integratedServiceReadPermission,
      credentials,
    );
    res.json(
      await service.listInstances(
        {
          service: query.service,
          version: query.version,
          phase: query.phase,
          drift: query.drift === undefined ? undefined : query.drift === 'true',
        },
        visible,
      ),
    );
  });

  router.get('/clusters/:cluster/instances', async (req, res) => {
    const credentials = await caller(req);
    const cluster = param(req, 'cluster');
    await service.clusterOwner(cluster);
    // Every instance of the cluster: the rule looks at the cluster only.
    await authorization.requireOn(
      integratedServiceReadPermission,
      cluster,
      '*',
      credentials,
    );
    res.json(await service.listClusterInstances(cluster));
  });

  router.get('/clusters/:cluster/instances/:service', async (req, res) => {
    const credentials = await caller(req);
    const cluster = param(req, 'cluster');
    const svc = param(req, 'service');
    await service.clusterOwner(cluster);
    await authorization.requireOn(
      integratedServiceReadPermission,
      cluster,
      svc,
      credentials,
    );
    res.json(await service.getInstance(cluster, svc));
  });

  /**
   * Activate when the service has no instance on the cluster yet, update
   * otherwise. The caller is authorized before the cluster is asked
   * anything: only when the policy tells the two permissions apart is the
   * instance read to know which one applies.
   */
  async function authorizeWrite(req: express.Request) {
    const credentials = await person(req);
    const cluster = param(req, 'cluster');
    const svc = param(req, 'service');
    const body = parse(activateBody, req.body, 'request') as ActivateRequest;
    await service.getService(svc);
    // Unknown cluster: 404 from the portal's records, not from the cluster.
    await service.clusterOwner(cluster);
    const [update, activate] = await Promise.all(
      [
        integratedServiceUpdatePermission,
        integratedServiceActivatePermission,
      ].map(permission =>
        authorization.allowedOn(permission, cluster, svc, credentials),
      ),
    );
    if (update !== activate) {
      const exists = await service.exists(cluster, svc);
      if (exists ? !update : !activate) {
        throw new NotAllowedError(
          `not allowed: ${
            exists
              ? integratedServiceUpdatePermission.name
              : integratedServiceActivatePermission.name
          } of ${svc} on cluster ${cluster}`,
        );
      }
    } else if (!update) {
      throw new NotAllowedError(
        `not allowed: ${integratedServiceActivatePermission.name} or ${integratedServiceUpdatePermission.name} of ${svc} on cluster ${cluster}`,
      );
    }
    return { cluster, svc, body };
  }

  router.post(
    '/clusters/:cluster/instances/:service/preview',
    async (req, res) => {
      const { cluster, svc, body } = await authorizeWrite(req);
      res.json(await service.preview(cluster, svc, body));
    },
  );

  router.put('/clusters/:cluster/instances/:service', async (req, res) => {
    const { cluster, svc, body } = await authorizeWrite(req);
    res.json(await service.put(cluster, svc, body));
  });

  router.delete('/clusters/:cluster/instances/:service', async (req, res) => {
    const credentials = await person(req);
    const cluster = param(req, 'cluster');
    const svc = param(req, 'service');
    await service.clusterOwner(cluster);
    await authorization.requireOn(
      integratedServiceDeactivatePermission,
      cluster,
      svc,
      credentials,
    );
    await service.remove(cluster, svc);
    res.status(204).end();
  });

  return router;
}
