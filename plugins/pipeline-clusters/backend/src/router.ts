import {
  DatabaseService,
  HttpAuthService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  clusterCreatePermission,
  clusterDeletePermission,
  clusterKubeconfigReadPermission,
  clusterReadPermission,
  clusterSpecSchema,
  clusterUpdatePermission,
  createCredentialSchema,
  createNamespaceSchema,
  describeIssues,
  importClusterSchema,
  listClustersQuerySchema,
  namespaceCreatePermission,
  ownerSchema,
  patchClusterSchema,
  rfc1123Label,
  secretManagePermission,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import express from 'express';
import Router from 'express-promise-router';
import { databaseHealth } from '@pipeline-portal/backend-health';
import { z } from 'zod';
import { ClusterAuthorization } from './permissions/authorization';
import { ClusterService } from './service/ClusterService';
import { NamespaceService } from './service/NamespaceService';
import { toApi } from './service/toApi';

export interface RouterOptions {
  logger: LoggerService;
  database: DatabaseService;
  httpAuth: HttpAuthService;
  authorization: ClusterAuthorization;
  service: ClusterService;
  namespaces: NamespaceService;
}

/** Parses with a zod schema; a 400 naming every field at fault otherwise. */
function parse<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: string,
): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) {
    throw new InputError(`invalid ${where}: ${describeIssues(result.error)}`);
  }
  return result.data;
}

const nameParam = rfc1123Label(63);

export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { logger, database, httpAuth, authorization, service } = options;
  const router = Router();
  router.use(express.json({ limit: '512kb' }));

  // Liveness of the plugin and of its own database.
  router.get('/health', databaseHealth({ logger, database }));

  router.get('/settings', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    res.json(service.settings());
  });

  const clusterName = (req: express.Request) =>
    parse(nameParam, req.params.name, 'cluster name in path');

  router.get('/clusters', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const query = parse(listClustersQuerySchema, req.query, 'query');
    const allowed = await authorization.filterFor(
      clusterReadPermission,
      credentials,
    );
    const page = await service.list(
      {
        owner: query.owner,
        distribution: query.distribution,
        phase: query.phase,
        search: query.search,
        ...allowed,
      },
      { limit: query.limit, cursor: query.cursor },
    );
    res.json({
      items: page.items.map(toApi),
      totalCount: page.totalCount,
      ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
    });
  });

  router.post('/clusters', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    await authorization.require(clusterCreatePermission, credentials);
    const spec = parse(clusterSpecSchema, req.body, 'cluster spec');
    await authorization.requireActFor(spec.owner, credentials);
    const { cluster, created } = await service.create(spec as any);
    res.status(created ? 201 : 200).json(toApi(cluster));
  });

  router.post('/clusters/import', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    await authorization.require(clusterCreatePermission, credentials);
    const request = parse(importClusterSchema, req.body, 'import request');
    await authorization.requireActFor(request.owner, credentials);
    const { cluster, created } = await service.importCluster(request);
    res.status(created ? 201 : 200).json(toApi(cluster));
  });

  router.get('/clusters/:name', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const name = clusterName(req);
    const cluster = await service.get(name);
    await authorization.requireOn(clusterReadPermission, name, credentials);
    res.json(toApi(cluster));
  });

  router.get('/clusters/:name/history', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const name = clusterName(req);
    await service.get(name);
    await authorization.requireOn(clusterReadPermission, name, credentials);
    res.json({ items: await service.history(name) });
  });

  router.patch('/clusters/:name', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const name = clusterName(req);
    await service.get(name);
    await authorization.requireOn(clusterUpdatePermission, name, credentials);
    const patch = parse(patchClusterSchema, req.body, 'cluster change');
    res.json(toApi(await service.update(name, patch as any)));
  });

  router.delete('/clusters/:name', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const name = clusterName(req);
    await service.get(name);
    await authorization.requireOn(clusterDeletePermission, name, credentials);
    res.status(202).json(toApi(await service.delete(name)));
  });

  router.get('/clusters/:name/kubeconfig', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const name = clusterName(req);
    await service.get(name);
    await authorization.requireOn(
      clusterKubeconfigReadPermission,
      name,
      credentials,
    );
    const kubeconfig = await service.kubeconfig(name);
    res
      .type('application/yaml')
      .set(
        'Content-Disposition',
        `attachment; filename="${name}-kubeconfig.yaml"`,
      )
      .set('Cache-Control', 'no-store')
      .send(kubeconfig);
  });

  // Other backend plugins only (the Kubernetes cluster supplier): never users.
  router.get('/clusters/:name/access', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['service'] });
    const name = clusterName(req);
    res.set('Cache-Control', 'no-store').json(await service.access(name));
  });

  router.post('/clusters/:name/namespaces', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const name = clusterName(req);
    await service.get(name);
    await authorization.requireOn(namespaceCreatePermission, name, credentials);
    const spec = parse(createNamespaceSchema, req.body, 'namespace request');
    res.status(201).json(await options.namespaces.create(name, spec));
  });

  router.get('/credentials', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    await authorization.require(secretManagePermission, credentials);
    const { owner } = parse(
      z.strictObject({ owner: ownerSchema.optional() }),
      req.query,
      'query',
    );
    if (owner) await authorization.requireActFor(owner, credentials);
    const items = await service.listCredentials(owner);
    const visible = [];
    for (const item of items) {
      if (owner || (await authorization.mayActFor(item.owner, credentials))) {
        visible.push(item);
      }
    }
    res.json({ items: visible });
  });

  router.post('/credentials', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    await authorization.require(secretManagePermission, credentials);
    const request = parse(createCredentialSchema, req.body, 'credential');
    await authorization.requireActFor(request.owner, credentials);
    res.status(201).json(await service.createCredential(request));
  });

  router.delete('/credentials/:name', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    await authorization.require(secretManagePermission, credentials);
    const name = parse(
      rfc1123Label(63),
      req.params.name,
      'credential name in path',
    );
    const { owner } = parse(
      z.strictObject({ owner: ownerSchema }),
      req.query,
      'query',
    );
    await authorization.requireActFor(owner, credentials);
    await service.deleteCredential({ owner, name });
    res.status(204).end();
  });

  // Other backend plugins only (integrated services): never users, never logged.
  router.get('/credentials/:owner/:name/value', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['service'] });
    const owner = parse(ownerSchema, req.params.owner, 'owner in path');
    const name = parse(
      rfc1123Label(63),
      req.params.name,
      'credential name in path',
    );
    const value = await service.credentialValue({ owner, name });
    res.set('Cache-Control', 'no-store').json({ value });
  });

  return router;
}
