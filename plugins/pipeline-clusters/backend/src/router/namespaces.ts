import {
  createNamespaceSchema,
  namespaceCreatePermission,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { clusterName } from './clusters';
import { parse, RequestReaders } from './parse';
import { ApiRouter, RouteDeps } from './types';

export const namespaceReaders = {
  createNamespace: req => {
    clusterName(req);
    return parse(createNamespaceSchema, req.body, 'namespace request');
  },
} satisfies RequestReaders;

/** Team namespaces on a cluster; the service holds the cluster's kubeconfig. */
export function namespaceRoutes(router: ApiRouter, deps: RouteDeps) {
  const { httpAuth, authorization, service, namespaces } = deps;

  router.post('/clusters/:name/namespaces', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const name = clusterName(req);
    await service.get(name);
    await authorization.requireOn(namespaceCreatePermission, name, credentials);
    const spec = namespaceReaders.createNamespace(req);
    res.status(201).json(await namespaces.create(name, spec));
  });
}
