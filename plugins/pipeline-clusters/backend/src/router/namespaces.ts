import {
  clusterReadPermission,
  createNamespaceSchema,
  namespaceCreatePermission,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { clusterName } from './clusters';
import { parse, RequestReaders } from './parse';
import { ApiRouter, RouteDeps } from './types';

export const namespaceReaders = {
  listNamespaces: clusterName,
  createNamespace: req => {
    clusterName(req);
    return parse(createNamespaceSchema, req.body, 'namespace request');
  },
} satisfies RequestReaders;

/** Team namespaces on a cluster; the service holds the cluster's kubeconfig. */
export function namespaceRoutes(router: ApiRouter, deps: RouteDeps) {
  const { httpAuth, authorization, service, namespaces } = deps;

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

  router.post('/clusters/:name/namespaces', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
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
