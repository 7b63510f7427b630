import { eventually } from './__testUtils__/clients';
import { FLUX_CRDS, FluxDouble, playFlux } from './flux';
import { playJobs } from './jobs';
import { KubeApi, startKubeApi } from './kubeApi';
import { KubeApiError } from './status';

const release = (version: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'helm.toolkit.fluxcd.io/v2',
  kind: 'HelmRelease',
  metadata: { name: 'monitoring', namespace: 'default' },
  spec: {
    interval: '10m',
    chart: {
      spec: {
        chart: 'kube-prometheus-stack',
        version,
        sourceRef: { kind: 'HelmRepository', name: 'prometheus-community' },
      },
    },
    values: { grafana: { enabled: true } },
    ...extra,
  },
});

const ready = (o: any) =>
  o?.status?.conditions?.find((c: any) => c.type === 'Ready');

describe('kube double: Flux and Job controllers', () => {
  let api: KubeApi;
  let flux: FluxDouble;
  beforeEach(async () => {
    api = await startKubeApi({ crds: FLUX_CRDS });
    flux = playFlux(api, { readyAfterMs: 1 });
  });
  afterEach(async () => {
    flux.stop();
    await api.close();
  });

  it('installs then upgrades a release, reporting the chart version in history', async () => {
    api.create(release('65.0.0'));
    const installed = await eventually(() => {
      const o = api.get(release('65.0.0')) as any;
      return ready(o)?.status === 'True' ? o : undefined;
    });
    expect(ready(installed).reason).toBe('InstallSucceeded');
    expect(installed.status.history[0].chartVersion).toBe('65.0.0');
    expect(installed.metadata.finalizers).toContain('finalizers.fluxcd.io');

    api.patch(release('66.1.0'), release('66.1.0'));
    const upgraded = await eventually(() => {
      const o = api.get(release('66.1.0')) as any;
      return o.status?.history?.[0]?.chartVersion === '66.1.0' ? o : undefined;
    });
    expect(ready(upgraded).reason).toBe('UpgradeSucceeded');
    expect(upgraded.status.history.map((h: any) => h.version)).toEqual([2, 1]);
  });

  it('fails an upgrade while the fault is set and retries on a reconcile request', async () => {
    api.create(release('65.0.0'));
    await eventually(() => ready(api.get(release('x')))?.status === 'True');
    const clear = flux.failUpgrade({ chartVersion: '66.1.0' }, 'hook failed');
    api.patch(release('66.1.0'), release('66.1.0'));
    const failed = await eventually(() => {
      const o = api.get(release('x')) as any;
      return ready(o)?.status === 'False' ? o : undefined;
    });
    expect(ready(failed)).toMatchObject({ reason: 'UpgradeFailed' });
    expect(ready(failed).message).toContain('hook failed');
    expect(failed.status.history[0].chartVersion).toBe('65.0.0');

    clear();
    api.patch(release('x'), {
      metadata: {
        annotations: { 'reconcile.fluxcd.io/requestedAt': 'retry-1' },
      },
    });
    const recovered = await eventually(() => {
      const o = api.get(release('x')) as any;
      return ready(o)?.status === 'True' ? o : undefined;
    });
    expect(recovered.status.history[0].chartVersion).toBe('66.1.0');
    expect(recovered.status.lastHandledReconcileAt).toBe('retry-1');
    expect(flux.attempts.get('monitoring:66.1.0')).toBe(2);
  });

  it('keeps a slow release Progressing until it settles', async () => {
    const clear = flux.slowRelease({ name: 'monitoring' }, 150);
    api.create(release('65.0.0'));
    await eventually(
      () => ready(api.get(release('x')))?.reason === 'Progressing',
    );
    expect(ready(api.get(release('x'))).status).toBe('Unknown');
    await eventually(() => ready(api.get(release('x')))?.status === 'True');
    clear();
  });

  it('reads the chart version of an OCI chart from its OCIRepository tag', async () => {
    api.create({
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'OCIRepository',
      metadata: { name: 'trivy', namespace: 'default' },
      spec: {
        interval: '10m',
        url: 'oci://ghcr.io/aquasecurity/helm-charts/trivy-operator',
        ref: { tag: '0.29.0' },
      },
    });
    api.create({
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name: 'trivy', namespace: 'default' },
      spec: {
        interval: '10m',
        chartRef: { kind: 'OCIRepository', name: 'trivy' },
      },
    });
    const o = await eventually(() => {
      const r = api.get({
        apiVersion: 'helm.toolkit.fluxcd.io/v2',
        kind: 'HelmRelease',
        name: 'trivy',
        namespace: 'default',
      }) as any;
      return ready(r)?.status === 'True' ? r : undefined;
    });
    expect(o.status.history[0]).toMatchObject({
      chartName: 'trivy-operator',
      chartVersion: '0.29.0',
    });
  });

  it('lets a deleted release go once uninstalled', async () => {
    api.create(release('65.0.0'));
    await eventually(() => ready(api.get(release('x')))?.status === 'True');
    api.delete(release('x'));
    await eventually(() => api.get(release('x')) === undefined);
    expect(api.get(release('x'))).toBeUndefined();
  });

  it('refuses a release the real CRD rejects', () => {
    expect(() =>
      api.create({ ...release('1'), spec: { chart: {} } } as any),
    ).toThrow(KubeApiError);
  });

  it('completes Jobs, or fails those a fault names', async () => {
    const jobs = playJobs(api, { completeAfterMs: 1 });
    const job = (name: string) => ({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name, namespace: 'default' },
      spec: { template: { spec: { containers: [], restartPolicy: 'Never' } } },
    });
    jobs.failJobs(/^migrate-/, 'schema migration failed');
    api.create(job('backup'));
    api.create(job('migrate-1'));
    const done = await eventually(() => {
      const b = api.get(job('backup')) as any;
      const m = api.get(job('migrate-1')) as any;
      return b.status?.succeeded && m.status?.failed ? { b, m } : undefined;
    });
    expect(done.b.status.conditions[0].type).toBe('Complete');
    expect(done.m.status.conditions[0]).toMatchObject({
      type: 'Failed',
      message: 'schema migration failed',
    });
    jobs.stop();
  });
});
