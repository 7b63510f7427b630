import { KubernetesObject, PatchStrategy } from '@kubernetes/client-node';
import {
  Clients,
  failure,
  raw,
  startWithClients,
} from './__testUtils__/clients';

const cm = (data: Record<string, string>, labels?: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: {
    name: 'applied',
    namespace: 'default',
    ...(labels ? { labels } : {}),
  },
  data,
});

type ConfigMapLike = KubernetesObject & { data?: Record<string, string> };

const apply = (
  c: Clients,
  body: object,
  manager: string,
  force = false,
): Promise<ConfigMapLike> =>
  c.objects.patch(
    body as ConfigMapLike,
    undefined,
    undefined,
    manager,
    force,
    PatchStrategy.ServerSideApply,
  );

describe('kube double: server-side apply', () => {
  let c: Clients;
  beforeAll(async () => {
    c = await startWithClients();
  });
  afterAll(() => c.api.close());

  it('requires a fieldManager (422), like the real server', async () => {
    const res = await raw(
      c.api,
      'PATCH',
      '/api/v1/namespaces/default/configmaps/applied',
      {
        body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\n',
        headers: { 'content-type': 'application/apply-patch+yaml' },
      },
    );
    expect(res.status).toBe(422);
    expect(res.json.message).toBe(
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    );
  });

  it('creates from YAML when absent, records managedFields, and merges other managers', async () => {
    const res = await raw(
      c.api,
      'PATCH',
      '/api/v1/namespaces/default/configmaps/applied?fieldManager=alice',
      {
        body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\n  labels: {team: a}\ndata:\n  a: "1"\n  shared: "s"\n',
        headers: { 'content-type': 'application/apply-patch+yaml' },
      },
    );
    expect(res.status).toBe(201);
    expect(res.json.metadata.managedFields).toEqual([
      expect.objectContaining({
        manager: 'alice',
        operation: 'Apply',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:data': { 'f:a': {}, 'f:shared': {} },
          'f:metadata': { 'f:labels': { 'f:team': {} } },
        },
      }),
    ]);
    const bob = await apply(c, cm({ b: '2', shared: 's' }), 'bob');
    expect((bob as any).data).toEqual({ a: '1', b: '2', shared: 's' });
    expect(bob.metadata?.managedFields?.map(m => m.manager).sort()).toEqual([
      'alice',
      'bob',
    ]);
  });

  it('answers 409 naming the other manager on a conflicting value, and force takes ownership', async () => {
    const err = await failure(apply(c, cm({ a: 'changed' }), 'bob'));
    expect(err.code).toBe(409);
    expect(err.status.reason).toBe('Conflict');
    expect(err.status.message).toBe(
      'Apply failed with 1 conflict: conflict with "alice": .data.a',
    );
    expect(err.status.details.causes).toEqual([
      {
        reason: 'FieldManagerConflict',
        message: 'conflict with "alice"',
        field: '.data.a',
      },
    ]);

    const forced = await apply(
      c,
      cm({ a: 'changed', b: '2', shared: 's' }),
      'bob',
      true,
    );
    expect((forced as any).data.a).toBe('changed');
    const alice = forced.metadata?.managedFields?.find(
      m => m.manager === 'alice',
    );
    expect(Object.keys((alice?.fieldsV1 as any)['f:data'])).toEqual([
      'f:shared',
    ]);
  });

  it('removes fields a manager stops applying unless another manager owns them', async () => {
    const res = await apply(c, cm({ a: 'changed' }), 'bob');
    expect((res as any).data).toEqual({ a: 'changed', shared: 's' });
  });

  it('conflicts with fields set by a plain update (operation Update)', async () => {
    await c.core.patchNamespacedConfigMap(
      {
        name: 'applied',
        namespace: 'default',
        body: [{ op: 'add', path: '/data/u', value: 'x' }],
      },
      { middleware: [] } as any,
    );
    const live = await c.core.readNamespacedConfigMap({
      name: 'applied',
      namespace: 'default',
    });
    const updater = live.metadata?.managedFields?.find(
      m => m.operation === 'Update',
    );
    expect(updater).toBeDefined();
    const err = await failure(apply(c, cm({ a: 'changed', u: 'y' }), 'bob'));
    expect(err.code).toBe(409);
    expect(err.status.message).toContain(
      `conflict with "${updater!.manager}": .data.u`,
    );
  });
});
