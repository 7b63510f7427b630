import { TestClusters, mapDefinitions } from '../__testUtils__/clusters';
import { startTestCluster, TestCluster } from '../__testUtils__/cluster';
import { definitions } from '../__testUtils__/definitions';
import { InstanceReconciler } from '../core/InstanceReconciler';
import { API_VERSION, instanceObject, KIND } from '../core/instance';
import { IntegratedServices } from './IntegratedServices';

const NS = 'pipeline-system';
const ref = (name: string) => ({
  apiVersion: API_VERSION,
  kind: KIND,
  name,
  namespace: NS,
});
const delay = (ms: number) => new Promise(r => setTimeout(r, ms));

describe('IntegratedServices', () => {
  let cluster: TestCluster;
  let clusters: TestClusters;
  let service: IntegratedServices;
  const reconciler = new InstanceReconciler({
    definitions: name => definitions.get(name),
  });

  beforeEach(async () => {
    cluster = await startTestCluster('dev');
    clusters = new TestClusters()
      .add('dev', 'group:default/payments', cluster.conn)
      .add('gone', 'group:default/payments');
    service = new IntegratedServices({
      clusters,
      definitions: mapDefinitions(definitions),
      namespace: NS,
    });
  });
  afterEach(() => cluster.close());

  async function settle(name: string, version: string) {
    for (let n = 0; n < 60; n++) {
      await reconciler.reconcileCluster(cluster.conn, NS);
      const i = cluster.api.get(ref(name)) as any;
      if (i?.status?.phase === 'Ready' && i.status.installedVersion === version)
        return i;
      await delay(15);
    }
    throw new Error(`${name} not Ready at ${version}`);
  }

  it('lists the offered services newest version first, and plans from a version', async () => {
    const { items } = await service.listServices();
    expect(items.map(i => [i.name, i.newestVersion])).toEqual([
      ['alerts', '2.0.0'],
      ['certs', '1.2.0'],
    ]);
    expect(items[1].versions).toEqual(['1.2.0', '1.1.0', '1.0.0']);
    const plan = await service.plan('certs', '1.0.0');
    expect(plan.targets.find(t => t.version === '1.2.0')!.path).toEqual([
      '1.0.0',
      '1.1.0',
      '1.2.0',
    ]);
    await expect(service.plan('certs', '9.9.9')).rejects.toMatchObject({
      name: 'NotFoundError',
    });
  });

  it('refuses an invalid spec with the JSON pointer and writes nothing', async () => {
    await expect(
      service.put('dev', 'certs', { spec: { replicas: 0 } }),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining('/spec/replicas'),
    });
    await expect(
      service.put('dev', 'certs', { spec: {}, overrides: [] as any }),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining('/overrides'),
    });
    expect(cluster.api.get(ref('certs'))).toBeUndefined();
  });

  it('answers NotFoundError for an unknown service, version or cluster', async () => {
    await expect(
      service.put('dev', 'nope', { spec: {} }),
    ).rejects.toMatchObject({ name: 'NotFoundError' });
    await expect(
      service.put('dev', 'certs', { version: '0.1.0', spec: {} }),
    ).rejects.toMatchObject({ name: 'NotFoundError' });
    await expect(
      service.put('nowhere', 'certs', { spec: {} }),
    ).rejects.toMatchObject({ name: 'NotFoundError' });
  });

  it('activates by writing the ServiceInstance, and previews an upgrade with its path and values diff', async () => {
    const preview = await service.preview('dev', 'certs', {
      version: '1.0.0',
      spec: { replicas: 2 },
    });
    expect(preview.plan).toMatchObject({ direction: 'install', to: '1.0.0' });
    expect(preview.valuesDiff).toContainEqual({
      path: '/replicaCount',
      op: 'add',
      to: 2,
    });
    expect(cluster.api.get(ref('certs'))).toBeUndefined();

    const view = await service.put('dev', 'certs', {
      version: '1.0.0',
      spec: { replicas: 2 },
      overrides: { extra: 'x' },
    });
    expect(view).toMatchObject({
      cluster: 'dev',
      service: 'certs',
      managedBy: 'portal',
      desired: { version: '1.0.0', spec: { replicas: 2 } },
    });
    await settle('certs', '1.0.0');

    const upgrade = await service.preview('dev', 'certs', {
      version: '1.2.0',
      spec: { replicas: 3 },
      overrides: { extra: 'x' },
    });
    expect(upgrade.plan).toMatchObject({
      from: '1.0.0',
      to: '1.2.0',
      direction: 'upgrade',
      path: ['1.0.0', '1.1.0', '1.2.0'],
    });
    expect(upgrade.valuesDiff).toEqual([
      { path: '/replicaCount', op: 'replace', from: 2, to: 3 },
    ]);
    expect(upgrade.objects.map(o => o.kind)).toEqual([
      'HelmRepository',
      'HelmRelease',
    ]);
  });

  it('leaves an externally created instance alone unless adopted', async () => {
    const external = instanceObject(NS, { service: 'certs' });
    delete external.metadata.labels;
    delete external.metadata.finalizers;
    cluster.api.create(external as any);
    expect((await service.getInstance('dev', 'certs')).managedBy).toBe(
      'external',
    );
    await expect(
      service.put('dev', 'certs', { spec: {} }),
    ).rejects.toMatchObject({ name: 'ConflictError' });
    await expect(service.remove('dev', 'certs')).rejects.toMatchObject({
      name: 'ConflictError',
    });
    const adopted = await service.put('dev', 'certs', {
      spec: { replicas: 2 },
      adopt: true,
    });
    expect(adopted.managedBy).toBe('portal');
    expect((cluster.api.get(ref('certs')) as any).spec.spec).toEqual({
      replicas: 2,
    });
  });

  it('deactivates by deleting the instance, and lists the fleet with the clusters that did not answer', async () => {
    await service.put('dev', 'certs', { version: '1.0.0', spec: {} });
    await settle('certs', '1.0.0');
    const fleet = await service.listInstances();
    expect(fleet.clusters).toBe(2);
    expect(
      fleet.items.map(i => [i.cluster, i.service, i.status.phase]),
    ).toEqual([['dev', 'certs', 'Ready']]);
    expect(fleet.problems).toEqual([
      { cluster: 'gone', message: 'cluster gone does not answer' },
    ]);
    expect(
      (await service.listInstances({ phase: 'Failed' })).items,
    ).toHaveLength(0);

    await service.remove('dev', 'certs');
    for (let n = 0; n < 60 && cluster.api.get(ref('certs')); n++) {
      await reconciler.reconcileCluster(cluster.conn, NS);
      await delay(15);
    }
    expect(cluster.api.get(ref('certs'))).toBeUndefined();
    await expect(service.getInstance('dev', 'certs')).rejects.toMatchObject({
      name: 'NotFoundError',
    });
  });

  it('says so when there is no Running cluster to list from', async () => {
    const empty = new IntegratedServices({
      clusters: new TestClusters(),
      definitions: mapDefinitions(definitions),
      namespace: NS,
    });
    await expect(empty.listInstances()).resolves.toMatchObject({
      items: [],
      clusters: 0,
      message: expect.stringContaining('No Running cluster'),
    });
  });
});
