/*
 * pipeline-clusters: every operation of its OpenAPI document. Reading a
 * cluster is `cluster.read`, which the policy grants every member: another
 * team's member reads payments' clusters. Changing, deleting, the
 * kubeconfig and team namespaces are owner-scoped (`cluster.*` rules);
 * creating and credentials need membership of the owner group. Other
 * backend plugins read what members read; they change nothing on their own
 * behalf (writes and credentials are for people), and the routes that hand
 * out a credential answer only the plugins on their list in
 * `pipelinePortal.clusters.serviceAccess`.
 *
 * Destructive rows: each caller deletes a cluster or credential of the
 * owner's made for it just before (`gone-<caller>`); creations use a name
 * per caller. The rows that change something come last.
 */
import assert from 'node:assert/strict';
import {
  AWS_VALUE,
  CLUSTER,
  CLUSTERS_API,
  CREDENTIAL,
  eksCluster,
  NAMESPACE,
  nodePool,
  OWNER,
  PROVISIONED,
} from '../seed';
import { Call, RouteRow, RouteTable, World } from '../types';
import {
  get,
  itemNames,
  namespacesOnDev,
  OPEN,
  READERS,
  slug,
  writers,
} from './common';

const api = (path: string) => `${CLUSTERS_API}${path}`;

/** A cluster's phase as the admin reads it; 404 when it is gone. */
async function clusterState(w: World, name: string) {
  const res = await w.send(get(api(`/clusters/${name}`)), 'admin');
  return res.status === 200
    ? { phase: res.body.status.phase, revision: res.body.revision }
    : res.status;
}

/** The names of the owner's credentials, as the admin lists them. */
async function credentialNames(w: World) {
  const res = await w.asAdmin(get(api('/credentials'), { owner: OWNER }), 200);
  return itemNames(res.body).sort();
}

let nextMaxSize = 4;

const rows: RouteRow[] = [
  {
    route: 'GET /health',
    checks: 'nothing: liveness of the plugin and its database, for probes',
    call: () => get(api('/health')),
    expect: OPEN,
  },
  {
    route: 'GET /settings',
    checks: 'a token',
    call: () => get(api('/settings')),
    expect: READERS,
  },
  {
    route: 'GET /clusters',
    checks: '`cluster.read` as a list filter; members read every cluster',
    call: () => get(api('/clusters'), { owner: OWNER }),
    expect: READERS,
    verify(res) {
      if (res.status === 200) assert.ok(itemNames(res.body).includes(CLUSTER));
    },
  },
  {
    route: 'GET /clusters/:name',
    checks: '`cluster.read` on the cluster (every member)',
    call: () => get(api(`/clusters/${CLUSTER}`)),
    expect: READERS,
  },
  {
    route: 'GET /clusters/:name/history',
    checks: '`cluster.read` on the cluster (every member)',
    call: () => get(api(`/clusters/${CLUSTER}/history`)),
    expect: READERS,
  },
  {
    route: 'GET /clusters/:name/namespaces',
    checks:
      '`cluster.read` on the cluster (every member); lists team namespaces with the portal credential',
    call: () => get(api(`/clusters/${CLUSTER}/namespaces`)),
    expect: READERS,
    verify(res) {
      if (res.status === 200) {
        assert.ok(itemNames(res.body).includes(NAMESPACE));
      }
    },
  },
  {
    route: 'GET /clusters/:name/namespaces/:namespace',
    checks:
      '`cluster.read` for users; plugins only on `serviceAccess.clusterAccess`, refused before the cluster is asked',
    call: () => get(api(`/clusters/${CLUSTER}/namespaces/${NAMESPACE}`)),
    expect: { ...READERS, plugin: 403, services: { spotguides: 200 } },
  },
  {
    route: 'GET /clusters/:name/kubeconfig',
    checks:
      '`cluster.kubeconfig.read` on the cluster (owner-scoped); it holds the credential, so plugins only on `serviceAccess.clusterAccess`, as for `/access`',
    call: () => get(api(`/clusters/${CLUSTER}/kubeconfig`)),
    expect: { ...writers(200), plugin: 403, services: { kubernetes: 200 } },
  },
  {
    route: 'GET /clusters/:name/access',
    checks:
      'service tokens only; `clusterAccess` plugins get the credential, `clusterCertificateAuthority` (the catalog) the CA only, any other plugin 403',
    call: () => get(api(`/clusters/${CLUSTER}/access`)),
    expect: {
      owner: 403,
      other: 403,
      admin: 403,
      anonymous: 401,
      plugin: 200,
      services: { kubernetes: 200, scaffolder: 403 },
    },
    verify(res, caller, w) {
      if (caller === 'plugin') {
        assert.deepEqual(res.body, {
          name: CLUSTER,
          apiServer: w.kube.url,
          caData: w.kube.caData,
        });
      }
      if (caller === 'plugin:kubernetes') {
        assert.equal(res.body.token, w.kube.token);
      }
    },
  },
  {
    route: 'GET /credentials',
    checks:
      '`secret.manage` and membership of the owner asked for; names, never values',
    call: () => get(api('/credentials'), { owner: OWNER }),
    expect: writers(200),
    verify(res) {
      if (res.status !== 200) return;
      assert.ok(itemNames(res.body).includes(CREDENTIAL));
      assert.ok(!res.text.includes(AWS_VALUE.secretAccessKey));
    },
  },
  {
    route: 'GET /credentials/:owner/:name/value',
    checks:
      'service tokens of `serviceAccess.credentialValue` (integrated services) only',
    call: () =>
      get(api(`/credentials/${encodeURIComponent(OWNER)}/${CREDENTIAL}/value`)),
    expect: {
      owner: 403,
      other: 403,
      admin: 403,
      anonymous: 401,
      plugin: 403,
      services: { 'integrated-services': 200, scaffolder: 403 },
    },
  },
  {
    route: 'POST /clusters',
    checks: '`cluster.create` and membership of the owner group',
    call: (_w, caller) => ({
      method: 'POST',
      path: api('/clusters'),
      body: eksCluster(`new-${slug(caller)}`),
    }),
    expect: writers(201),
    state: (w, call) => clusterState(w, (call.body as { name: string }).name),
  },
  {
    route: 'POST /clusters/import',
    checks:
      '`cluster.create` and membership of the owner group, before the kubeconfig is tried',
    call: (w, caller) => ({
      method: 'POST',
      path: api('/clusters/import'),
      body: {
        name: `imported-${slug(caller)}`,
        owner: OWNER,
        kubeconfig: w.kubeconfig,
      },
    }),
    expect: writers(201),
    state: (w, call) => clusterState(w, (call.body as { name: string }).name),
  },
  {
    route: 'PATCH /clusters/:name',
    checks: '`cluster.update` on the cluster (owner-scoped)',
    async call(w) {
      const current = await w.asAdmin(
        get(api(`/clusters/${PROVISIONED}`)),
        200,
      );
      return {
        method: 'PATCH',
        path: api(`/clusters/${PROVISIONED}`),
        body: {
          revision: current.body.revision,
          // A size no earlier call asked for: an allowed call changes it.
          nodePools: [nodePool(nextMaxSize++)],
        },
      };
    },
    expect: writers(200),
    state: async w =>
      (await w.asAdmin(get(api(`/clusters/${PROVISIONED}`)), 200)).body,
  },
  {
    route: 'POST /clusters/:name/namespaces',
    checks:
      '`namespace.create` on the cluster (owner-scoped), before the cluster is asked',
    call: (_w, caller) => ({
      method: 'POST',
      path: api(`/clusters/${CLUSTER}/namespaces`),
      body: { namespace: `team-${slug(caller)}`, team: OWNER },
    }),
    expect: writers(201),
    state: namespacesOnDev,
  },
  {
    route: 'POST /credentials',
    checks: '`secret.manage` and membership of the owner group',
    call: (_w, caller) => ({
      method: 'POST',
      path: api('/credentials'),
      body: {
        name: `new-${slug(caller)}`,
        owner: OWNER,
        kind: 'aws',
        value: AWS_VALUE,
      },
    }),
    expect: writers(201),
    state: credentialNames,
  },
  {
    route: 'DELETE /credentials/:name',
    checks: '`secret.manage` and membership of the owner group',
    async call(w, caller): Promise<Call> {
      const name = `gone-${slug(caller)}`;
      await w.asAdmin(
        {
          method: 'POST',
          path: api('/credentials'),
          body: { name, owner: OWNER, kind: 'aws', value: AWS_VALUE },
        },
        201,
      );
      return {
        method: 'DELETE',
        path: api(`/credentials/${name}`),
        query: { owner: OWNER },
      };
    },
    expect: writers(204),
    state: credentialNames,
  },
  {
    route: 'DELETE /clusters/:name',
    checks: '`cluster.delete` on the cluster (owner-scoped)',
    async call(w, caller): Promise<Call> {
      const name = `gone-${slug(caller)}`;
      await w.asAdmin(
        {
          method: 'POST',
          path: api('/clusters/import'),
          body: { name, owner: OWNER, kubeconfig: w.kubeconfig },
        },
        201,
      );
      return { method: 'DELETE', path: api(`/clusters/${name}`) };
    },
    expect: writers(202),
    state: (w, call) => clusterState(w, call.path.split('/').pop()!),
  },
];

export const clustersTable: RouteTable = {
  pluginId: 'pipeline-clusters',
  document: {
    packageName: '@pipeline-portal/plugin-pipeline-clusters-backend',
    path: 'src/schema/openapi.yaml',
  },
  rows,
};
