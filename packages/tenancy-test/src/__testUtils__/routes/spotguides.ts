/*
 * spotguides: every operation of its OpenAPI document. Its data routes
 * answer users only (other plugins 403). Deliveries, runs, explanations and
 * a binding are readable by whoever the catalog shows the component to
 * (every member here); binding and unbinding take
 * `spotguides.repository.bind` on the component (its owners, admins) or
 * membership of the binding's owner.
 *
 * Destructive row: before each caller's unbind the owner binds the
 * repository again.
 */
import assert from 'node:assert/strict';
import { COMPONENT, CLUSTER, NAMESPACE, SPOTGUIDES_API } from '../seed';
import { Call, Expected, RouteRow, RouteTable, World } from '../types';
import { get, OPEN } from './common';

const api = (path: string) => `${SPOTGUIDES_API}${path}`;
const BINDING = api('/repositories/payments/orders/binding');

/** Users who may read the component; other plugins get nothing. */
const READERS: Expected = {
  owner: 200,
  other: 200,
  admin: 200,
  anonymous: 401,
  plugin: 403,
};

/** A change of the owner's binding: its members and admins. */
const binders = (status: number): Expected => ({
  owner: status,
  other: 403,
  admin: status,
  anonymous: 401,
  plugin: 403,
});

const bindBody = {
  entityRef: COMPONENT,
  target: { cluster: CLUSTER, namespace: NAMESPACE },
};

/** The binding as the admin reads it (or the status when there is none). */
async function bindingState(w: World) {
  const res = await w.send(get(BINDING), 'admin');
  return res.status === 200 ? res.body : res.status;
}

const rows: RouteRow[] = [
  {
    route: 'GET /health',
    checks: 'nothing: liveness of the plugin and its database, for probes',
    call: () => get(api('/health')),
    expect: OPEN,
  },
  {
    route: 'GET /deliveries',
    checks:
      'a user; a component the caller may read claims the repository (`spotguides.delivery.read`)',
    call: () => get(api('/deliveries'), { repository: 'payments/orders' }),
    expect: READERS,
  },
  {
    route: 'POST /explain',
    checks:
      'a user; a readable component claims the repository and `spotguides.explain` on it, before GitHub is asked',
    async call(w): Promise<Call> {
      const sha = await w.gh.headSha('payments', 'orders');
      return {
        method: 'POST',
        path: api('/explain'),
        body: {
          repository: 'payments/orders',
          sha,
          event: 'push',
          ref: 'refs/heads/main',
        },
      };
    },
    expect: READERS,
    verify(res) {
      if (res.status === 200) assert.equal(res.body.pipelines.length, 1);
    },
  },
  {
    route: 'GET /runs',
    checks: 'a user; the component is readable and `spotguides.run.read` on it',
    call: () => get(api('/runs'), { entityRef: COMPONENT }),
    expect: READERS,
  },
  {
    route: 'GET /repositories/:owner/:name/binding',
    checks: 'a user; a component the caller may read claims the repository',
    call: () => get(BINDING),
    expect: READERS,
  },
  {
    route: 'GET /repositories/:owner/:name/management',
    checks:
      "a user; answers whether the caller may manage the repository (a member of the binding's owner, or `spotguides.repository.bind` on its component)",
    call: () => get(api('/repositories/payments/orders/management')),
    expect: READERS,
    verify(res, caller) {
      if (res.status !== 200) return;
      assert.equal(res.body.allowed, caller !== 'other');
    },
  },
  {
    route: 'PUT /repositories/:owner/:name/binding',
    checks:
      'a user; `spotguides.repository.bind` on the component (owner-scoped); the target a team namespace of the owner',
    call: () => ({ method: 'PUT', path: BINDING, body: bindBody }),
    expect: binders(200),
    state: bindingState,
  },
  {
    route: 'DELETE /repositories/:owner/:name/binding',
    checks:
      "a user; a member of the binding's owner, or `spotguides.repository.bind` on its component",
    async call(w): Promise<Call> {
      await w.asOwner({ method: 'PUT', path: BINDING, body: bindBody }, 200);
      return { method: 'DELETE', path: BINDING };
    },
    expect: binders(204),
    state: bindingState,
  },
];

export const spotguidesTable: RouteTable = {
  pluginId: 'spotguides',
  document: {
    packageName: '@pipeline-portal/plugin-spotguides-backend',
    path: 'src/schema/openapi.yaml',
  },
  rows,
};
