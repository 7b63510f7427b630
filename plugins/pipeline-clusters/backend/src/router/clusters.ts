import {
  ClusterSpec,
  clusterCreatePermission,
  clusterDeletePermission,
  clusterKubeconfigReadPermission,
  clusterReadPermission,
  clusterSpecSchema,
  clusterUpdatePermission,
  importClusterSchema,
  listClustersQuerySchema,
  patchClusterSchema,
  rfc1123Label,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { toApi } from '../service/toApi';
import { parse, RawRequest, RequestReaders } from './parse';
import { ApiRouter, RouteDeps } from './types';

const nameParam = rfc1123Label(63);

export const clusterName = (req: RawRequest) =>
  parse(nameParam, req.params.name, 'cluster name in path');

/** The zod reading of each clusters operation's request. */
export const clusterReaders = {
  listClusters: req => parse(listClustersQuerySchema, req.query, 'query'),
  createCluster: req => parse(clusterSpecSchema, req.body, 'cluster spec'),
  importCluster: req => parse(importClusterSchema, req.body, 'import request'),
  getCluster: clusterName,
  getClusterHistory: clusterName,
  updateCluster: req => {
    clusterName(req);
    return parse(patchClusterSchema, req.body, 'cluster change');
  },
  deleteCluster: clusterName,
  getKubeconfig: clusterName,
  getClusterAccess: clusterName,
} satisfies RequestReaders;

/** Cluster lifecycle: list, create, import, read, change, delete, access. */
export function clusterRoutes(router: ApiRouter, deps: RouteDeps) {
  const { httpAuth, authorization, service, serviceAccess } = deps;
  const r = clusterReaders;
  const caller = (req: Parameters<typeof httpAuth.credentials>[0]) =>
    httpAuth.credentials(req, { allow: ['user', 'service'] });
  // Changes are made for a person: another plugin acting on its own behalf
  // creates, changes or deletes nothing (scaffolder actions pass the user).
  const person = (req: Parameters<typeof httpAuth.credentials>[0]) =>
    httpAuth.credentials(req, { allow: ['user'] });

  router.get('/clusters', async (req, res) => {
    const credentials = await caller(req);
    const query = r.listClusters(req);
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
    const credentials = await person(req);
    await authorization.require(clusterCreatePermission, credentials);
    const spec = r.createCluster(req);
    await authorization.requireActFor(spec.owner, credentials);
    const { cluster, created } = await service.create(spec as ClusterSpec);
    res.status(created ? 201 : 200).json(toApi(cluster));
  });

  router.post('/clusters/import', async (req, res) => {
    const credentials = await person(req);
    await authorization.require(clusterCreatePermission, credentials);
    const request = r.importCluster(req);
    await authorization.requireActFor(request.owner, credentials);
    const { cluster, created } = await service.importCluster(request);
    res.status(created ? 201 : 200).json(toApi(cluster));
  });

  router.get('/clusters/:name', async (req, res) => {
    const credentials = await caller(req);
    const name = r.getCluster(req);
    const cluster = await service.get(name);
    await authorization.requireOn(clusterReadPermission, name, credentials);
    res.json(toApi(cluster));
  });

  router.get('/clusters/:name/history', async (req, res) => {
    const credentials = await caller(req);
    const name = r.getClusterHistory(req);
    await service.get(name);
    await authorization.requireOn(clusterReadPermission, name, credentials);
    res.json({ items: await service.history(name) });
  });

  router.patch('/clusters/:name', async (req, res) => {
    const credentials = await person(req);
    const name = clusterName(req);
    await service.get(name);
    await authorization.requireOn(clusterUpdatePermission, name, credentials);
    const patch = r.updateCluster(req);
    res.json(toApi(await service.update(name, patch)));
  });

  router.delete('/clusters/:name', async (req, res) => {
    const credentials = await person(req);
    const name = r.deleteCluster(req);
    await service.get(name);
    await authorization.requireOn(clusterDeletePermission, name, credentials);
    res.status(202).json(toApi(await service.delete(name)));
  });

  router.get('/clusters/:name/kubeconfig', async (req, res) => {
    const credentials = await caller(req);
    // Other plugins: only those on the clusterAccess list, before anything is read.
    serviceAccess.requireFor('getKubeconfig', credentials);
    const name = r.getKubeconfig(req);
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

  // Other backend plugins only, each on its list in config: never users.
  // The catalog's list gets the API server and its CA, not the credential.
  router.get('/clusters/:name/access', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['service'] });
    const level = serviceAccess.clusterAccessLevel(credentials);
    const name = r.getClusterAccess(req);
    const access = await service.access(name);
    res.set('Cache-Control', 'no-store').json(
      level === 'full'
        ? access
        : {
            name: access.name,
            apiServer: access.apiServer,
            ...(access.caData ? { caData: access.caData } : {}),
          },
    );
  });
}
