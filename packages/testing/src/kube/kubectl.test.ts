import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeApi, startKubeApi } from './index';

function findKubectl(): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'kubectl');
    if (dir && existsSync(candidate)) return candidate;
  }
  throw new Error(
    'kubectl was not found on PATH. The kube double is verified against the real kubectl: install kubectl (e.g. `apt-get install kubectl`) and re-run.',
  );
}

jest.setTimeout(30_000);

describe('kube double: kubectl', () => {
  let api: KubeApi;
  let dir: string;
  let kubeconfig: string;
  const kubectl = findKubectl();

  const run = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>(resolve => {
      execFile(
        kubectl,
        args,
        {
          env: { ...process.env, KUBECONFIG: kubeconfig, HOME: dir },
          timeout: 20_000,
        },
        (err, stdout, stderr) => {
          resolve({
            code: err ? Number((err as { code?: number }).code ?? 1) : 0,
            stdout,
            stderr,
          });
        },
      );
    });

  beforeAll(async () => {
    api = await startKubeApi();
    dir = mkdtempSync(join(tmpdir(), 'kubectl-test-'));
    kubeconfig = api.writeKubeConfig(join(dir, 'kubeconfig'));
    api.registerCrd(api.readCrd('cluster.x-k8s.io/clusters.yaml'));
  });
  afterAll(async () => {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gets objects with TLS verification and the bearer token', async () => {
    const res = await run('get', 'namespaces', '-o', 'json');
    expect(res.stderr).toBe('');
    expect(
      JSON.parse(res.stdout).items.map(
        (n: { metadata: { name: string } }) => n.metadata.name,
      ),
    ).toContain('kube-system');
    const table = await run('get', 'ns');
    expect(table.stdout).toMatch(/^NAME\s+STATUS\s+AGE\n/);
    expect(table.stdout).toMatch(/\ndefault\s+Active\s+\d+s\n/);
  });

  it('applies, re-applies and deletes a Namespace, a ConfigMap and a Cluster API Cluster', async () => {
    const manifest = join(dir, 'app.yaml');
    const write = (paused: boolean) =>
      writeFileSync(
        manifest,
        [
          'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: kubectl-ns\n',
          'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: kubectl-ns\ndata:\n  mode: fast\n',
          `apiVersion: cluster.x-k8s.io/v1beta2\nkind: Cluster\nmetadata:\n  name: dev\n  namespace: kubectl-ns\nspec:\n  paused: ${paused}\n`,
        ].join('---\n'),
      );
    write(true);
    const applied = await run('apply', '--validate=false', '-f', manifest);
    expect(applied.stderr).toBe('');
    expect(applied.stdout).toBe(
      'namespace/kubectl-ns created\nconfigmap/settings created\ncluster.cluster.x-k8s.io/dev created\n',
    );
    expect(
      api.get({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        name: 'settings',
        namespace: 'kubectl-ns',
      })?.data,
    ).toEqual({ mode: 'fast' });

    write(false);
    const again = await run('apply', '--validate=false', '-f', manifest);
    expect(again.stdout).toBe(
      'namespace/kubectl-ns unchanged\nconfigmap/settings unchanged\ncluster.cluster.x-k8s.io/dev configured\n',
    );
    const dev = api.get({
      apiVersion: 'cluster.x-k8s.io/v1beta2',
      kind: 'Cluster',
      name: 'dev',
      namespace: 'kubectl-ns',
    });
    expect(dev?.spec).toEqual({ paused: false });
    expect(dev?.metadata?.generation).toBe(2);

    const got = await run('get', 'clusters', '-n', 'kubectl-ns', '-o', 'name');
    expect(got.stdout).toBe('cluster.cluster.x-k8s.io/dev\n');

    const del = await run('delete', 'cluster', 'dev', '-n', 'kubectl-ns');
    expect(del.stdout).toBe('cluster.cluster.x-k8s.io "dev" deleted\n');
    const delNs = await run('delete', 'namespace', 'kubectl-ns');
    expect(delNs.stdout).toBe('namespace "kubectl-ns" deleted\n');
    expect(
      api.get({ apiVersion: 'v1', kind: 'Namespace', name: 'kubectl-ns' }),
    ).toBeUndefined();
    expect(
      api.get({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        name: 'settings',
        namespace: 'kubectl-ns',
      }),
    ).toBeUndefined();
  });

  it('applies a CRD manifest and serves its kind right away', async () => {
    const crd = join(
      api.crdDir,
      'source.toolkit.fluxcd.io',
      'helmrepositories.yaml',
    );
    const res = await run('apply', '--validate=false', '-f', crd);
    expect(res.stdout).toBe(
      'customresourcedefinition.apiextensions.k8s.io/helmrepositories.source.toolkit.fluxcd.io created\n',
    );
    const repo = join(dir, 'repo.yaml');
    writeFileSync(
      repo,
      'apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: charts\n  namespace: default\nspec:\n  url: https://charts.example.com\n',
    );
    expect((await run('apply', '--validate=false', '-f', repo)).stdout).toBe(
      'helmrepository.source.toolkit.fluxcd.io/charts created\n',
    );
    expect((await run('get', 'helmrepositories', '-o', 'name')).stdout).toBe(
      'helmrepository.source.toolkit.fluxcd.io/charts\n',
    );
  });

  it('reports server errors the way kubectl prints them', async () => {
    const missing = await run('get', 'configmap', 'nope');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain(
      'Error from server (NotFound): configmaps "nope" not found',
    );
    const forbidden = await run('delete', 'namespace', 'default');
    expect(forbidden.stderr).toContain('this namespace may not be deleted');
  });
});
