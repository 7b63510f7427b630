import { startTestCluster, TestCluster } from '../__testUtils__/cluster';

describe('ClusterConnection', () => {
  let cluster: TestCluster;
  beforeEach(async () => {
    cluster = await startTestCluster();
  });
  afterEach(() => cluster.close());

  const configMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'settings', namespace: 'pipeline-system' },
  };

  it('sends a read or list again once when the connection is reset, never a write', async () => {
    cluster.api.create({ ...configMap, data: { a: '1' } } as any);
    const dropRead = cluster.api.faults.add({
      path: '/configmaps/settings',
      method: 'GET',
      drop: true,
      times: 1,
    });
    await expect(cluster.conn.read(configMap)).resolves.toMatchObject({
      data: { a: '1' },
    });
    expect(dropRead.hits).toBe(1);

    cluster.api.faults.add({
      path: '/configmaps',
      method: 'GET',
      drop: true,
      times: 1,
    });
    await expect(
      cluster.conn.list('v1', 'ConfigMap', 'pipeline-system'),
    ).resolves.toHaveLength(1);

    const dropWrite = cluster.api.faults.add({
      path: '/configmaps/settings',
      method: 'PATCH',
      drop: true,
      times: 1,
    });
    await expect(
      cluster.conn.merge(configMap, { data: { a: '2' } }),
    ).rejects.toMatchObject({ name: 'KubernetesApiError', transient: true });
    expect(dropWrite.hits).toBe(1);
    expect(
      (
        cluster.api.get({
          ...configMap,
          name: 'settings',
          namespace: 'pipeline-system',
        } as any) as any
      ).data.a,
    ).toBe('1');
  });
});
