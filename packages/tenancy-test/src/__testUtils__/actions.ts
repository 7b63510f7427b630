/*
 * Every scaffolder action of ours, run in a real task from a Template (the
 * scaffolder runs tasks from catalog templates only), first as carol
 * (another team) and then as bob (the owner), with inputs aimed at
 * payments' resources. The actions call the portal's REST APIs with a token
 * of the person running the template, so the APIs' checks apply to them;
 * none decides on its own. spotguides:webhook:create is the exception: it
 * writes to GitHub with the integration's token and checks nothing of the
 * person (see its row).
 * Destructive runs (delete, deactivate) are real runs on resources made for
 * them in `prepare`, not dry runs: a dry run of these actions does not call
 * the API, so it would show nothing of the boundary.
 */
import assert from 'node:assert/strict';
import { USERS } from './callers';
import {
  CLUSTER,
  CLUSTERS_API,
  COMPONENT,
  eksCluster,
  NAMESPACE,
  OWNER,
  PROVISIONED,
  SERVICE,
  SERVICES_API,
  SPOTGUIDES_API,
} from './seed';
import { ActionRow, Runner, World } from './types';

const SERVICE_API_VERSION = 'integratedservices.pipeline-portal.io/v1alpha1';

/** The ServiceInstance of a service on `dev`, read in process. */
const instance = (w: World, service: string) =>
  w.kube.get({
    apiVersion: SERVICE_API_VERSION,
    kind: 'ServiceInstance',
    name: service,
    namespace: 'pipeline-system',
  });

/** A cluster's status as the admin reads it through the API. */
const clusterStatus = async (w: World, name: string) =>
  (
    await w.send(
      { method: 'GET', path: `${CLUSTERS_API}/clusters/${name}` },
      'admin',
    )
  ).status;

/** Makes sure a service is active on `dev` (and not being deactivated). */
async function ensureActive(w: World, service: string) {
  const live = instance(w, service);
  if (live?.metadata?.deletionTimestamp) w.kube.removeFinalizers(live);
  if (!instance(w, service)) {
    await w.asAdmin(
      {
        method: 'PUT',
        path: `${SERVICES_API}/clusters/${CLUSTER}/instances/${service}`,
        body: { spec: {} },
      },
      200,
    );
  }
}

const byRunner = <T>(runner: Runner, owner: T, other: T) =>
  runner === 'owner' ? owner : other;

export const ACTION_ROWS: ActionRow[] = [
  {
    id: 'pipeline:cluster:create',
    checks:
      'the clusters API as the runner: `cluster.create` and membership of the owner group',
    input: (_d, runner) =>
      eksCluster(byRunner(runner, 'act-created', 'act-refused-create')),
    other: /not allowed to act for group:default\/payments/,
    async verify(w) {
      assert.equal(await clusterStatus(w, 'act-created'), 200);
      assert.equal(await clusterStatus(w, 'act-refused-create'), 404);
    },
  },
  {
    id: 'pipeline:cluster:import',
    checks:
      'the clusters API as the runner: `cluster.create` and membership of the owner group, before the kubeconfig is tried',
    input: (_d, runner) => ({
      name: byRunner(runner, 'act-imported', 'act-refused-import'),
      owner: OWNER,
    }),
    secrets: d => ({ kubeconfig: d.kubeconfig }),
    other: /not allowed to act for group:default\/payments/,
    async verify(w) {
      assert.equal(await clusterStatus(w, 'act-imported'), 200);
      assert.equal(await clusterStatus(w, 'act-refused-import'), 404);
    },
  },
  {
    id: 'pipeline:cluster:update',
    checks:
      'reads the cluster (`cluster.read`, every member), then the PATCH needs `cluster.update` on it (owner-scoped)',
    input: (_d, runner) => ({
      name: PROVISIONED,
      nodePools: {
        change: [{ name: 'default', maxSize: byRunner(runner, 50, 60) }],
      },
    }),
    other: /not allowed: cluster\.update on orders-prod/,
    async verify(w) {
      const res = await w.asAdmin(
        { method: 'GET', path: `${CLUSTERS_API}/clusters/${PROVISIONED}` },
        200,
      );
      assert.equal(res.body.spec.nodePools[0].maxSize, 50);
    },
  },
  {
    id: 'pipeline:cluster:delete',
    checks: 'the clusters API as the runner: `cluster.delete` (owner-scoped)',
    input: (_d, runner) => ({ name: `act-gone-${runner}` }),
    async prepare(w, runner) {
      await w.asAdmin(
        {
          method: 'POST',
          path: `${CLUSTERS_API}/clusters/import`,
          body: {
            name: `act-gone-${runner}`,
            owner: OWNER,
            kubeconfig: w.kubeconfig,
          },
        },
        201,
      );
    },
    other: /not allowed: cluster\.delete on act-gone-other/,
    async verify(w) {
      assert.equal(await clusterStatus(w, 'act-gone-owner'), 404);
      assert.equal(await clusterStatus(w, 'act-gone-other'), 200);
    },
  },
  {
    id: 'pipeline:cluster:wait',
    checks:
      'reads the cluster as the runner (`cluster.read`, every member): it changes nothing, so carol may wait too',
    input: () => ({ name: CLUSTER, until: 'Running', pollSeconds: 1 }),
    other: 'completes',
  },
  {
    id: 'pipeline:namespace:create',
    checks:
      'the clusters API as the runner: `namespace.create` on the cluster (owner-scoped), before the cluster is asked',
    input: (_d, runner) => ({
      cluster: CLUSTER,
      namespace: `act-ns-${runner}`,
      team: OWNER,
    }),
    other: /not allowed: namespace\.create on dev/,
    async verify(w) {
      const names = w.kube.list('v1', 'Namespace').map(n => n.metadata!.name);
      assert.ok(names.includes('act-ns-owner'), names.join(', '));
      assert.ok(!names.includes('act-ns-other'), names.join(', '));
    },
  },
  {
    id: 'integrated-service:activate',
    checks:
      'previews, then writes, through the services API as the runner: `integrated-service.activate` on the instance (owner-scoped)',
    input: (_d, runner) => ({
      cluster: CLUSTER,
      service: byRunner(runner, 'vulnerability-scanning', 'secrets'),
    }),
    other: /not allowed: integrated-service\.activate/,
    async verify(w) {
      assert.ok(instance(w, 'vulnerability-scanning'));
      assert.equal(instance(w, 'secrets'), undefined);
    },
  },
  {
    id: 'integrated-service:update',
    checks:
      'reads the instance (every member), previews and writes as the runner: `integrated-service.update` (owner-scoped)',
    input: (_d, runner) => ({
      cluster: CLUSTER,
      service: SERVICE,
      spec: { replicas: byRunner(runner, 2, 3) },
    }),
    other:
      /not allowed: integrated-service\.activate or integrated-service\.update/,
    async verify(w) {
      const live = instance(w, SERVICE)?.spec as
        | { spec?: { replicas?: number } }
        | undefined;
      assert.equal(live?.spec?.replicas, 2);
    },
  },
  {
    id: 'integrated-service:deactivate',
    checks:
      'the services API as the runner: `integrated-service.deactivate` on the instance (owner-scoped), before the cluster is asked',
    input: () => ({ cluster: CLUSTER, service: 'policy' }),
    prepare: w => ensureActive(w, 'policy'),
    other: /not allowed: integrated-service\.deactivate of policy/,
    async verify(w) {
      assert.ok(instance(w, 'policy')?.metadata?.deletionTimestamp);
    },
  },
  {
    id: 'spotguides:repository:bind',
    checks:
      'the spotguides API as the runner: `spotguides.repository.bind` on the component (owner-scoped), the target a team namespace of its owner',
    input: d => ({
      repoUrl: `${d.gh.host}?owner=payments&repo=orders`,
      entityRef: COMPONENT,
      owner: OWNER,
      cluster: CLUSTER,
      namespace: NAMESPACE,
    }),
    other: /only the owners of component:default\/orders/,
    async verify(w) {
      const res = await w.asAdmin(
        {
          method: 'GET',
          path: `${SPOTGUIDES_API}/repositories/payments/orders/binding`,
        },
        200,
      );
      assert.equal(res.body.boundBy, USERS.owner);
    },
  },
  {
    id: 'spotguides:webhook:create',
    // The action checks nothing of the runner: it writes with the GitHub
    // integration's token. The shipped spotguide templates run
    // spotguides:repository:bind before it, which refuses another team; the
    // row asks the action to refuse on its own, as every other action does.
    checks:
      "none of the runner: registers the portal's webhook with the GitHub integration's token",
    input: d => ({
      repoUrl: `${d.gh.host}?owner=payments&repo=orders`,
      events: ['push', 'pull_request'],
    }),
    other: /may not|not allowed|only/,
    async verify(w) {
      const hooks = w.gh.repo('payments', 'orders')!.hooks;
      assert.equal(hooks.length, 1);
      assert.equal(hooks[0].events.join(), 'push,pull_request');
    },
  },
];
