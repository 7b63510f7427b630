/*
 * Backstage's Kubernetes plugin, the routes the portal relies on. The
 * portal's module resolves clusters per caller: `cluster.kubernetes.access`
 * on a portal cluster (owner-scoped), and none of them for a request
 * without a user. So for another team's member, and for another plugin,
 * payments' cluster does not exist: not listed, "not found" through the
 * proxy, no objects, and no request reaches it.
 */
import assert from 'node:assert/strict';
import { CALLERS } from '../callers';
import { CLUSTER } from '../seed';
import { Call, RouteRow, RouteTable, World } from '../types';
import { get, itemNames, namespacesOnDev, slug } from './common';

const api = (path: string) => `/api/kubernetes${path}`;

/** The callers the plugin shows the cluster to. */
const reaches = (caller: string) => caller === 'owner' || caller === 'admin';

/** The component as the catalog holds it. */
async function orders(w: World) {
  const res = await w.asAdmin(
    get('/api/catalog/entities/by-name/component/default/orders'),
    200,
  );
  return res.body;
}

const rows: RouteRow[] = [
  {
    route: 'GET /clusters',
    checks:
      '`kubernetes.clusters.read`; the list holds the portal clusters the caller may reach',
    call: () => get(api('/clusters')),
    expect: { owner: 200, other: 200, admin: 200, anonymous: 401, plugin: 200 },
    silentFor: [...CALLERS],
    verify(res, caller) {
      if (res.status !== 200) return;
      assert.equal(
        itemNames(res.body).includes(CLUSTER),
        reaches(caller),
        `${caller} sees ${res.text}`,
      );
    },
  },
  {
    route: 'POST /services/:serviceId',
    checks:
      "`kubernetes.resources.read`; the component's objects on the clusters the caller may reach",
    async call(w): Promise<Call> {
      return {
        method: 'POST',
        path: api('/services/orders'),
        body: { entity: await orders(w) },
      };
    },
    expect: { owner: 200, other: 200, admin: 200, anonymous: 401, plugin: 200 },
    silentFor: ['other', 'plugin'],
    verify(res, caller) {
      if (res.status !== 200) return;
      const clusters = (
        res.body.items as Array<{ cluster: { name: string } }>
      ).map(i => i.cluster.name);
      assert.equal(
        clusters.includes(CLUSTER),
        reaches(caller),
        `${caller} got objects of ${clusters.join(', ') || 'no cluster'}`,
      );
    },
  },
  {
    route: 'POST /proxy/*',
    checks:
      '`kubernetes.proxy`, then the cluster named in Backstage-Kubernetes-Cluster among those the caller may reach',
    call: (_w, caller) => ({
      method: 'POST',
      path: api('/proxy/api/v1/namespaces'),
      headers: { 'Backstage-Kubernetes-Cluster': CLUSTER },
      body: {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: `proxied-${slug(caller)}` },
      },
    }),
    // The double answers a created namespace with 201, as Kubernetes does.
    expect: { owner: 201, other: 404, admin: 201, anonymous: 401, plugin: 404 },
    notFoundRefuses: true,
    state: namespacesOnDev,
    verify(res) {
      if (res.status === 404)
        assert.equal(res.body.error.name, 'NotFoundError');
    },
  },
];

/** Not a document of ours: the rows name the plugin's routes. */
export const kubernetesTable: RouteTable = { pluginId: 'kubernetes', rows };
