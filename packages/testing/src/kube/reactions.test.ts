import { Watch } from '@kubernetes/client-node';
import {
  Clients,
  delay,
  eventually,
  failure,
  raw,
  startWithClients,
} from './__testUtils__/clients';

describe('kube double: reactions', () => {
  let c: Clients;
  beforeAll(async () => {
    c = await startWithClients({ crds: ['cluster.x-k8s.io/clusters.yaml'] });
  });
  afterAll(() => c.api.close());

  it('runs a controller-like reaction whose writes are seen by watches', async () => {
    c.api.react(
      { group: 'cluster.x-k8s.io', kind: 'Cluster', on: 'create', delayMs: 30 },
      async (obj, api) => {
        await delay(10);
        api.patchStatus(obj, {
          phase: 'Provisioned',
          initialization: { infrastructureProvisioned: true },
        });
        api.create({
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: {
            name: `${obj.metadata!.name}-kubeconfig`,
            namespace: obj.metadata!.namespace,
            ownerReferences: [
              {
                apiVersion: obj.apiVersion!,
                kind: obj.kind!,
                name: obj.metadata!.name!,
                uid: obj.metadata!.uid!,
              },
            ],
          },
          stringData: { value: 'apiVersion: v1\nkind: Config\n' },
        });
      },
    );
    const seen: string[] = [];
    const ctl = await new Watch(c.kc).watch(
      '/apis/cluster.x-k8s.io/v1beta2/namespaces/default/clusters',
      { resourceVersion: c.api.resourceVersion },
      (type, obj) => seen.push(`${type}:${obj.status?.phase ?? '-'}`),
      () => undefined,
    );
    try {
      await c.objects.create({
        apiVersion: 'cluster.x-k8s.io/v1beta2',
        kind: 'Cluster',
        metadata: { name: 'prod', namespace: 'default' },
        spec: { paused: false },
      } as any);
      await c.api.settle();
      const secret = await c.core.readNamespacedSecret({
        name: 'prod-kubeconfig',
        namespace: 'default',
      });
      expect(secret.metadata?.ownerReferences?.[0].name).toBe('prod');
      await eventually(() => seen.length >= 2);
      expect(seen).toEqual(['ADDED:-', 'MODIFIED:Provisioned']);
    } finally {
      ctl.abort();
    }
    // The secret is garbage-collected with its owner.
    await c.objects.delete({
      apiVersion: 'cluster.x-k8s.io/v1beta2',
      kind: 'Cluster',
      metadata: { name: 'prod', namespace: 'default' },
    });
    expect(
      (
        await failure(
          c.core.readNamespacedSecret({
            name: 'prod-kubeconfig',
            namespace: 'default',
          }),
        )
      ).code,
    ).toBe(404);
  });

  it('lets a reaction play a finalizing controller (deleting trigger) and can be removed', async () => {
    const off = c.api.react(
      { kind: 'ConfigMap', on: 'deleting', name: 'guarded' },
      (obj, api) => {
        api.removeFinalizers(obj);
      },
    );
    await c.core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'guarded', finalizers: ['x.io/cleanup'] } },
    });
    await c.core.deleteNamespacedConfigMap({
      name: 'guarded',
      namespace: 'default',
    });
    await c.api.settle();
    expect(
      (
        await failure(
          c.core.readNamespacedConfigMap({
            name: 'guarded',
            namespace: 'default',
          }),
        )
      ).code,
    ).toBe(404);
    off();
    await c.core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'guarded', finalizers: ['x.io/cleanup'] } },
    });
    await c.core.deleteNamespacedConfigMap({
      name: 'guarded',
      namespace: 'default',
    });
    await c.api.settle();
    expect(
      (
        await c.core.readNamespacedConfigMap({
          name: 'guarded',
          namespace: 'default',
        })
      ).metadata?.deletionTimestamp,
    ).toBeDefined();
  });

  it('surfaces reaction errors through settle()', async () => {
    const off = c.api.react(
      { kind: 'ConfigMap', on: ['create', 'update'], name: 'boom' },
      () => {
        throw new Error('reaction failed');
      },
    );
    await raw(c.api, 'POST', '/api/v1/namespaces/default/configmaps', {
      body: { metadata: { name: 'boom' } },
    });
    await expect(c.api.settle()).rejects.toThrow('reaction failed');
    off();
  });
});
