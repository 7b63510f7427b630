import { clientNode } from './clientNode';

describe('clientNode', () => {
  it('loads the real Kubernetes client on first use', () => {
    const k8s = clientNode();
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: 'https://example.test:6443' }],
      users: [{ name: 'u', token: 't' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    expect(kc.getCurrentCluster()?.server).toBe('https://example.test:6443');
    expect(clientNode()).toBe(k8s);
  });
});
