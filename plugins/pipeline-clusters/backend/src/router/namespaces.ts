import {
  clusterReadPermission,
  createNamespaceSchema,
  namespaceCreatePermission,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { rfc1123Label } from '@pipeline-portal/plugin-pipeline-clusters-common';
import { clusterName } from './clusters';
import { parse, RawRequest, RequestReaders } from './parse';
import { ApiRouter, RouteDeps } from './types';

const namespaceName = (req: RawRequest) =>
  parse(rfc1123Label(63), req.params.namespace, 'namespace in path');

export const namespaceReaders = {
  listNamespaces: clusterName,
  getNamespace: req => ({
    cluster: clusterName(req),
    namespace: namespaceName(req),
  }),
  createNamespace: req => {
    clusterName(req);
    return parse(createNamespaceSchema, req.body, 'namespace request');
  },
} satisfies RequestReaders;

/** Team namespaces on a cluster; the service holds the cluster's kubeconfig. */
export function namespaceRoutes(router: ApiRouter, deps: RouteDeps) {
  const { httpAuth, authorization, service, namespaces, serviceAccess } = deps;

  // Whoever may read the cluster may see which team namespaces it has.
  router.get('/clusters/:name/namespaces', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const name = namespaceReaders.listNamespaces(req);
    await service.get(name);
    await authorization.requireOn(clusterReadPermission, name, credentials);
    res.json({ items: await namespaces.list(name) });
  });

  // The same, for one namespace: users who may read the cluster, and the
  // plugins that may reach clusters (e.g. spotguides checking a run's target).
  router.get('/clusters/:name/namespaces/:namespace', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    serviceAccess.requireFor('getNamespace', credentials);
    const { cluster, namespace } = namespaceReaders.getNamespace(req);
    await service.get(cluster);
    await authorization.requireOn(clusterReadPermission, cluster, credentials);
    res.json(await namespaces.get(cluster, namespace));
  });

  // Created for a person; another plugin on its own behalf creates none.
  router.post('/clusters/:name/namespaces', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const name = clusterName(req);
    await service.get(name);
    await authorization.requireOn(namespaceCreatePermission, name, credentials);
    const spec = namespaceReaders.createNamespace(req);
    // Only an admin may take over a namespace of another team, or one the
    // portal did not create: anyone else gets 409 and nothing is written.
    const admin = await authorization.namespaceAdmin(credentials);
    res
      .status(201)
      .json(
        await namespaces.create(name, spec, admin ? { by: admin } : undefined),
      );
  });
}
