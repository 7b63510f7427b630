import { ApisApi, CoreApi, VersionApi } from '@kubernetes/client-node';
import { Clients, raw, startWithClients } from './__testUtils__/clients';

describe('kube double: discovery', () => {
  let c: Clients;
  beforeAll(async () => {
    c = await startWithClients({ crds: ['cluster.x-k8s.io/clusters.yaml'] });
  });
  afterAll(() => c.api.close());

  it('serves /version, /api and /apis', async () => {
    const version = await c.kc.makeApiClient(VersionApi).getCode();
    expect(version.gitVersion).toMatch(/^v1\.\d+\.\d+$/);
    const api = await c.kc.makeApiClient(CoreApi).getAPIVersions();
    expect(api.versions).toEqual(['v1']);
    const groups = await c.kc.makeApiClient(ApisApi).getAPIVersions();
    const byName = Object.fromEntries(groups.groups.map(g => [g.name, g]));
    expect(Object.keys(byName)).toEqual(
      expect.arrayContaining([
        'apps',
        'rbac.authorization.k8s.io',
        'networking.k8s.io',
        'events.k8s.io',
        'apiextensions.k8s.io',
        'cluster.x-k8s.io',
      ]),
    );
    // Kube-aware version priority: v1beta2 preferred over v1beta1.
    expect(byName['cluster.x-k8s.io'].preferredVersion?.version).toBe(
      'v1beta2',
    );
    expect(byName['cluster.x-k8s.io'].versions.map(v => v.version)).toEqual([
      'v1beta2',
      'v1beta1',
    ]);
  });

  it('lists core resources with names, verbs and short names', async () => {
    const list = await c.core.getAPIResources();
    const byName = Object.fromEntries(list.resources.map(r => [r.name, r]));
    expect(Object.keys(byName)).toEqual(
      expect.arrayContaining([
        'namespaces',
        'namespaces/status',
        'secrets',
        'configmaps',
        'serviceaccounts',
        'pods',
        'pods/status',
        'events',
        'resourcequotas',
        'limitranges',
      ]),
    );
    expect(byName.configmaps).toMatchObject({
      singularName: 'configmap',
      namespaced: true,
      kind: 'ConfigMap',
      shortNames: ['cm'],
    });
    expect(byName.namespaces).toMatchObject({
      namespaced: false,
      shortNames: ['ns'],
    });
    expect(byName.configmaps.verbs).toEqual([
      'create',
      'delete',
      'deletecollection',
      'get',
      'list',
      'patch',
      'update',
      'watch',
    ]);
  });

  it('lists group resources, including CRDs and their status subresource', async () => {
    const apps = await raw(c.api, 'GET', '/apis/apps/v1');
    expect(apps.json.resources.map((r: { name: string }) => r.name)).toEqual([
      'deployments',
      'deployments/status',
    ]);
    const rbac = await raw(c.api, 'GET', '/apis/rbac.authorization.k8s.io/v1');
    expect(
      rbac.json.resources.map((r: { kind: string }) => r.kind).sort(),
    ).toEqual(['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']);
    const np = await raw(c.api, 'GET', '/apis/networking.k8s.io/v1');
    expect(np.json.resources[0]).toMatchObject({
      name: 'networkpolicies',
      shortNames: ['netpol'],
    });
    const capi = await raw(c.api, 'GET', '/apis/cluster.x-k8s.io/v1beta2');
    expect(capi.json).toMatchObject({
      kind: 'APIResourceList',
      groupVersion: 'cluster.x-k8s.io/v1beta2',
    });
    expect(capi.json.resources.map((r: { name: string }) => r.name)).toEqual([
      'clusters',
      'clusters/status',
    ]);
    expect(capi.json.resources[0]).toMatchObject({
      singularName: 'cluster',
      kind: 'Cluster',
      namespaced: true,
      shortNames: ['cl'],
      categories: ['cluster-api'],
    });
    const group = await raw(c.api, 'GET', '/apis/cluster.x-k8s.io');
    expect(group.json).toMatchObject({
      kind: 'APIGroup',
      name: 'cluster.x-k8s.io',
      preferredVersion: { version: 'v1beta2' },
    });
  });

  it('answers 404 Status for unknown paths, OpenAPI included (clients fall back)', async () => {
    for (const p of [
      '/apis/nope.io/v1',
      '/api/v1/widgets',
      '/openapi/v2',
      '/openapi/v3',
    ]) {
      const res = await raw(c.api, 'GET', p);
      expect(res.status).toBe(404);
      expect(res.json).toMatchObject({
        kind: 'Status',
        reason: 'NotFound',
        code: 404,
      });
    }
  });

  it('serves meta.k8s.io Tables when asked (kubectl get)', async () => {
    const res = await raw(c.api, 'GET', '/api/v1/namespaces', {
      headers: {
        accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
      },
    });
    expect(res.json.kind).toBe('Table');
    expect(
      res.json.columnDefinitions.map((d: { name: string }) => d.name),
    ).toEqual(['Name', 'Status', 'Age']);
    expect(
      res.json.rows.map((r: { cells: unknown[] }) => r.cells[0]),
    ).toContain('default');
  });
});
