/*
 * integrated-services: every operation of its OpenAPI document. The
 * offered services and reading instances are open to every member
 * (`integrated-service.read` is not owner-scoped: another team's member
 * sees what runs on payments' cluster). Activating, updating, previewing
 * and deactivating are `integrated-service.*` on the instance, owner-scoped
 * by the cluster's owner, and are decided before the cluster is asked.
 *
 * Destructive row: each caller deactivates `ingress`, activated for it just
 * before (what a deactivation left behind is let go first, as the
 * reconciler would once the chart is uninstalled). The PUT and the preview
 * change only cert-manager's replicas.
 */
import assert from 'node:assert/strict';
import { CallerName } from '../callers';
import { CLUSTER, SERVICE, SERVICES_API } from '../seed';
import { Call, RouteRow, RouteTable, World } from '../types';
import { get, OPEN, READERS, writers } from './common';

const api = (path: string) => `${SERVICES_API}${path}`;
const instance = (service: string) =>
  api(`/clusters/${CLUSTER}/instances/${service}`);

/** The service deactivated by the DELETE row. */
const DISPOSABLE = 'ingress';

/** A ServiceInstance on the `dev` double, read in process (no request logged). */
const live = (w: World, service: string) =>
  w.kube.get({
    apiVersion: 'integratedservices.pipeline-portal.io/v1alpha1',
    kind: 'ServiceInstance',
    name: service,
    namespace: 'pipeline-system',
  });

/** What a refused write must not change: the instance as the cluster holds it. */
const instanceState = (service: string) => (w: World) => {
  const o = live(w, service);
  return o && { resourceVersion: o.metadata?.resourceVersion, spec: o.spec };
};

/** Replicas per caller, so every allowed PUT changes the instance. */
const replicas = (caller: CallerName) =>
  (({ owner: 2, admin: 3, plugin: 1 } as Record<string, number>)[caller] ?? 3);

const rows: RouteRow[] = [
  {
    route: 'GET /health',
    checks: 'nothing: liveness of the plugin and its database, for probes',
    call: () => get(api('/health')),
    expect: OPEN,
  },
  {
    route: 'GET /services',
    checks: 'a token',
    call: () => get(api('/services')),
    expect: READERS,
  },
  {
    route: 'GET /services/:service',
    checks: 'a token',
    call: () => get(api(`/services/${SERVICE}`)),
    expect: READERS,
  },
  {
    route: 'GET /services/:service/plan',
    checks: 'a token',
    call: () => get(api(`/services/${SERVICE}/plan`), { from: '1.15.3' }),
    expect: READERS,
  },
  {
    route: 'GET /instances',
    checks: '`integrated-service.read` as a filter (every member)',
    call: () => get(api('/instances'), { service: SERVICE }),
    expect: READERS,
    verify(res) {
      if (res.status !== 200) return;
      const items = res.body.items as Array<{
        cluster: string;
        service: string;
      }>;
      assert.ok(
        items.some(i => i.cluster === CLUSTER && i.service === SERVICE),
        res.text,
      );
    },
  },
  {
    route: 'GET /clusters/:cluster/instances',
    checks: '`integrated-service.read` on the cluster (every member)',
    call: () => get(api(`/clusters/${CLUSTER}/instances`)),
    expect: READERS,
  },
  {
    route: 'GET /clusters/:cluster/instances/:service',
    checks: '`integrated-service.read` on the instance (every member)',
    call: () => get(instance(SERVICE)),
    expect: READERS,
  },
  {
    route: 'POST /clusters/:cluster/instances/:service/preview',
    checks:
      '`integrated-service.activate` or `.update` on the instance (owner-scoped), before the cluster is asked',
    call: () => ({
      method: 'POST',
      path: `${instance(SERVICE)}/preview`,
      body: { spec: { replicas: 2 } },
    }),
    expect: writers(200),
  },
  {
    route: 'PUT /clusters/:cluster/instances/:service',
    checks:
      '`integrated-service.update` (here; `.activate` for a new one) on the instance (owner-scoped), before the cluster is asked',
    call: (_w, caller) => ({
      method: 'PUT',
      path: instance(SERVICE),
      body: { spec: { replicas: replicas(caller) } },
    }),
    expect: writers(200),
    state: instanceState(SERVICE),
  },
  {
    route: 'DELETE /clusters/:cluster/instances/:service',
    checks:
      '`integrated-service.deactivate` on the instance (owner-scoped), before the cluster is asked',
    async call(w): Promise<Call> {
      const before = live(w, DISPOSABLE);
      if (before?.metadata?.deletionTimestamp) {
        w.kube.removeFinalizers(before);
      }
      if (!live(w, DISPOSABLE)) {
        await w.asAdmin(
          { method: 'PUT', path: instance(DISPOSABLE), body: { spec: {} } },
          200,
        );
      }
      return { method: 'DELETE', path: instance(DISPOSABLE) };
    },
    expect: writers(204),
    state: instanceState(DISPOSABLE),
  },
];

export const integratedServicesTable: RouteTable = {
  pluginId: 'integrated-services',
  document: {
    packageName: '@pipeline-portal/plugin-integrated-services-backend',
    path: 'openapi.yaml',
  },
  rows,
};
