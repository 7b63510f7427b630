import { definitions } from '../__testUtils__/definitions';
import { startTestCluster, TestCluster } from '../__testUtils__/cluster';
import { InstanceReconciler } from './InstanceReconciler';
import {
  API_VERSION,
  instanceObject,
  KIND,
  ServiceInstance,
  UNINSTALL_FINALIZER,
} from './instance';

const NS = 'pipeline-system';
const ref = (name: string) => ({
  apiVersion: API_VERSION,
  kind: KIND,
  name,
  namespace: NS,
});
const releaseRef = (name: string) => ({
  apiVersion: 'helm.toolkit.fluxcd.io/v2',
  kind: 'HelmRelease',
  name,
  namespace: NS,
});
const delay = (ms: number) => new Promise(r => setTimeout(r, ms));

describe('InstanceReconciler against the Kubernetes double with Flux', () => {
  let cluster: TestCluster;
  let clock: number;
  let reconciler: InstanceReconciler;
  const credentials = new Map<string, Record<string, string>>();

  beforeEach(async () => {
    cluster = await startTestCluster();
    clock = Date.parse('2026-12-06T12:00:00Z');
    reconciler = new InstanceReconciler({
      definitions: name => definitions.get(name),
      credentials: async name => credentials.get(name),
      now: () => clock,
      baseBackoffMs: 1000,
      maxBackoffMs: 4000,
    });
  });
  afterEach(() => cluster.close());

  const instance = (name: string) =>
    cluster.api.get(ref(name)) as unknown as ServiceInstance | undefined;

  /** Runs passes (Flux acting in between) until the instance satisfies `done`. */
  async function until(
    name: string,
    done: (i: ServiceInstance | undefined) => boolean,
    passes = 60,
  ): Promise<ServiceInstance | undefined> {
    for (let n = 0; n < passes; n++) {
      await reconciler.reconcileCluster(cluster.conn, NS);
      const current = instance(name);
      if (done(current)) return current;
      await delay(15);
    }
    throw new Error(
      `not reached: ${JSON.stringify({
        ...instance(name)?.status,
        availableTargets: undefined,
        conditions: undefined,
        unreachable: undefined,
      })}`,
    );
  }

  const activate = (spec: Parameters<typeof instanceObject>[1]) =>
    cluster.api.create(instanceObject(NS, spec) as any);
  const ready = (version: string) => (i?: ServiceInstance) =>
    i?.status?.phase === 'Ready' && i.status.installedVersion === version;

  it('activates a service: Flux objects written, Ready at the chart version, targets listed', async () => {
    activate({
      service: 'certs',
      version: '1.0.0',
      spec: { replicas: 2 },
      overrides: { prometheus: { enabled: false } },
    });
    const done = await until('certs', ready('1.0.0'));
    const release = cluster.api.get(releaseRef('certs')) as any;
    expect(release.spec.chart.spec).toMatchObject({
      chart: 'cert-manager',
      version: 'v1.13.6',
      sourceRef: { kind: 'HelmRepository', name: 'certs' },
    });
    expect(release.spec.values).toEqual({
      installCRDs: true,
      replicaCount: 2,
      prometheus: { enabled: false },
    });
    expect(release.spec.targetNamespace).toBe('cert-manager');
    expect(release.status.history[0].chartVersion).toBe('v1.13.6');
    const repo = cluster.api.get({
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'HelmRepository',
      name: 'certs',
      namespace: NS,
    }) as any;
    expect(repo.spec.url).toBe('https://charts.jetstack.io');
    expect(
      done!.status!.conditions!.find(c => c.type === 'Ready'),
    ).toMatchObject({ status: 'True' });
    expect(done!.status!.observedGeneration).toBe(done!.metadata.generation);
    expect(done!.status!.availableTargets!.map(t => t.version)).toEqual([
      '1.2.0',
      '1.1.0',
    ]);
    expect(done!.status!.availableTargets![0].path).toEqual([
      '1.0.0',
      '1.1.0',
      '1.2.0',
    ]);
    expect(done!.metadata.finalizers).toContain(UNINSTALL_FINALIZER);
  });

  it('upgrades along a multi-step path, one step at a time, keeping the overrides', async () => {
    activate({
      service: 'certs',
      version: '1.0.0',
      overrides: { extraArgs: ['--v=2'] },
    });
    await until('certs', ready('1.0.0'));
    cluster.api.create({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'certs-cert-manager',
        namespace: 'cert-manager',
        labels: { 'app.kubernetes.io/instance': 'certs' },
      },
      spec: {
        selector: { matchLabels: { app: 'c' } },
        template: {
          metadata: { labels: { app: 'c' } },
          spec: { containers: [] },
        },
      },
    } as any);

    cluster.api.patch(ref('certs'), { spec: { version: '1.2.0' } });
    const seen = new Set<string>();
    const done = await until('certs', i => {
      if (i?.status?.plan)
        seen.add(`${i.status.plan.currentStep}:${i.status.installedVersion}`);
      return ready('1.2.0')(i);
    });
    // deleteResources, chartUpgrade (-> 1.1.0), chartUpgrade, runJob (-> 1.2.0)
    expect([...seen]).toEqual(
      expect.arrayContaining(['1:1.0.0', '2:1.1.0', '3:1.1.0']),
    );
    expect(
      cluster.api.get({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'certs-cert-manager',
        namespace: 'cert-manager',
      }),
    ).toBeUndefined();
    const release = cluster.api.get(releaseRef('certs')) as any;
    expect(release.status.history.map((h: any) => h.chartVersion)).toEqual([
      'v1.15.5',
      'v1.14.7',
      'v1.13.6',
    ]);
    expect(release.spec.values.extraArgs).toEqual(['--v=2']);
    const job = cluster.api.get({
      apiVersion: 'batch/v1',
      kind: 'Job',
      name: 'migrate-certificates-1-2-0-3',
      namespace: 'cert-manager',
    }) as any;
    expect(job.status.succeeded).toBe(1);
    expect(done!.status!.plan).toBeUndefined();
    expect(done!.status!.availableTargets!.map(t => t.version)).toEqual([
      '1.1.0',
    ]);
  });

  it('downgrades along a downgrader, running its patch first', async () => {
    activate({ service: 'certs', version: '1.2.0' });
    await until('certs', ready('1.2.0'));
    cluster.api.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'certs-settings', namespace: 'cert-manager' },
      data: { apiVersion: 'v1' },
    });
    cluster.api.patch(ref('certs'), { spec: { version: '1.1.0' } });
    await until('certs', ready('1.1.0'));
    const settings = cluster.api.get({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: 'certs-settings',
      namespace: 'cert-manager',
    }) as any;
    expect(settings.data.apiVersion).toBe('v1beta1');
    const release = cluster.api.get(releaseRef('certs')) as any;
    expect(release.status.history[0].chartVersion).toBe('v1.14.7');
  });

  it('stops the plan at a failing step with the error in status, and resumes once the fault is cleared', async () => {
    activate({ service: 'certs', version: '1.1.0' });
    await until('certs', ready('1.1.0'));
    const clear = cluster.flux.failUpgrade(
      { name: 'certs', chartVersion: 'v1.15.5' },
      'webhook not ready',
    );
    cluster.api.patch(ref('certs'), { spec: { version: '1.2.0' } });
    const failed = await until('certs', i => i?.status?.phase === 'Failed');
    expect(failed!.status!.lastError).toMatchObject({ step: 0 });
    expect(failed!.status!.lastError!.message).toContain('webhook not ready');
    expect(failed!.status!.installedVersion).toBe('1.1.0');
    expect(failed!.status!.plan).toMatchObject({ to: '1.2.0', currentStep: 0 });
    expect(failed!.status!.retryAfter).toBe('2026-12-06T12:00:01.000Z');

    // Within the back-off nothing is retried.
    const attempts = cluster.flux.attempts.get('certs:v1.15.5');
    await reconciler.reconcileCluster(cluster.conn, NS);
    await delay(30);
    expect(cluster.flux.attempts.get('certs:v1.15.5')).toBe(attempts);

    // Still failing after the back-off: the delay doubles, up to its cap.
    clock += 1500;
    const again = await until(
      'certs',
      i => (i?.status?.failures ?? 0) >= 2 && i?.status?.phase === 'Failed',
    );
    expect(Date.parse(again!.status!.retryAfter!) - clock).toBe(2000);

    clear();
    clock += 5000;
    const done = await until('certs', ready('1.2.0'));
    expect(done!.status!.lastError).toBeUndefined();
    expect(done!.status!.failures).toBeUndefined();
    expect(
      (cluster.api.get(releaseRef('certs')) as any).status.history[0]
        .chartVersion,
    ).toBe('v1.15.5');
  });

  it('waits for a slow release before the next step', async () => {
    activate({ service: 'certs', version: '1.1.0' });
    await until('certs', ready('1.1.0'));
    const clear = cluster.flux.slowRelease({ name: 'certs' }, 300);
    cluster.api.patch(ref('certs'), { spec: { version: '1.2.0' } });
    const upgrading = await until(
      'certs',
      i => i?.status?.phase === 'Upgrading' && !!i.status.plan?.stepApplied,
    );
    expect(upgrading!.status!.plan!.currentStep).toBe(0);
    await reconciler.reconcileCluster(cluster.conn, NS);
    expect(instance('certs')!.status!.plan!.currentStep).toBe(0);
    await until('certs', ready('1.2.0'));
    clear();
  });

  it('puts back rendered objects changed or deleted by hand and records it', async () => {
    activate({ service: 'certs', version: '1.0.0', spec: { replicas: 2 } });
    await until('certs', ready('1.0.0'));
    cluster.api.patch(releaseRef('certs'), {
      spec: { values: { replicaCount: 5 } },
    });
    cluster.api.delete({
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'HelmRepository',
      name: 'certs',
      namespace: NS,
    });
    const result = await reconciler.reconcileCluster(cluster.conn, NS);
    expect(result.drifted).toBe(1);
    const i = instance('certs')!;
    expect(i.status!.drift).toEqual([
      {
        object: 'HelmRepository certs',
        kind: 'missing',
        at: '2026-12-06T12:00:00.000Z',
      },
      {
        object: 'HelmRelease certs',
        kind: 'changed',
        fields: ['spec.values.replicaCount'],
        at: '2026-12-06T12:00:00.000Z',
      },
    ]);
    expect(i.status!.conditions!.find(c => c.type === 'Drifted')!.status).toBe(
      'True',
    );
    expect(
      (cluster.api.get(releaseRef('certs')) as any).spec.values.replicaCount,
    ).toBe(2);
    expect(
      cluster.api.get({
        apiVersion: 'source.toolkit.fluxcd.io/v1',
        kind: 'HelmRepository',
        name: 'certs',
        namespace: NS,
      }),
    ).toBeDefined();
    await until('certs', ready('1.0.0'));
  });

  it('follows a ServiceInstance edited outside the portal', async () => {
    activate({ service: 'certs', version: '1.0.0' });
    await until('certs', ready('1.0.0'));
    // As kubectl edit would: a new spec and overrides.
    cluster.api.patch(ref('certs'), {
      spec: { spec: { replicas: 3 }, overrides: { extra: 'x' } },
    });
    await until(
      'certs',
      i =>
        ready('1.0.0')(i) &&
        i!.status!.observedGeneration === i!.metadata.generation,
    );
    const release = cluster.api.get(releaseRef('certs')) as any;
    expect(release.spec.values).toMatchObject({ replicaCount: 3, extra: 'x' });
    expect(release.status.history).toHaveLength(2);
  });

  it('reports an invalid spec written outside the portal without touching the release', async () => {
    activate({ service: 'certs', version: '1.0.0' });
    await until('certs', ready('1.0.0'));
    cluster.api.patch(ref('certs'), { spec: { spec: { replicas: 0 } } });
    const failed = await until('certs', i => i?.status?.phase === 'Failed');
    expect(failed!.status!.message).toContain('/spec/spec/replicas');
    expect(
      (cluster.api.get(releaseRef('certs')) as any).spec.values.replicaCount,
    ).toBe(1);
  });

  it('deactivates: a deleted instance uninstalls its release, then lets go', async () => {
    activate({ service: 'certs', version: '1.0.0' });
    await until('certs', ready('1.0.0'));
    cluster.api.delete(ref('certs'));
    await until('certs', i => i === undefined);
    expect(cluster.api.get(releaseRef('certs'))).toBeUndefined();
  });

  it('disables a service with enabled: false and keeps the instance', async () => {
    activate({ service: 'certs', version: '1.0.0' });
    await until('certs', ready('1.0.0'));
    cluster.api.patch(ref('certs'), { spec: { enabled: false } });
    const disabled = await until('certs', i => i?.status?.phase === 'Disabled');
    expect(disabled!.status!.installedVersion).toBeUndefined();
    expect(cluster.api.get(releaseRef('certs'))).toBeUndefined();
  });

  it('leaves an instance the portal did not create alone', async () => {
    const external = instanceObject(NS, { service: 'certs' });
    delete external.metadata.labels;
    delete external.metadata.finalizers;
    cluster.api.create(external as any);
    const result = await reconciler.reconcileCluster(cluster.conn, NS);
    expect(result).toMatchObject({ instances: 1, external: 1 });
    expect(instance('certs')!.status).toBeUndefined();
    expect(cluster.api.get(releaseRef('certs'))).toBeUndefined();
  });

  it('writes the credential a spec names as a Secret, never into values, from an OCI chart', async () => {
    credentials.set('team-slack', { url: 'https://hooks.slack.com/T0/B0/x' });
    activate({ service: 'alerts', spec: { slackCredential: 'team-slack' } });
    await until('alerts', ready('2.0.0'));
    const secret = cluster.api.get({
      apiVersion: 'v1',
      kind: 'Secret',
      name: 'alerts-slack',
      namespace: 'alerts',
    }) as any;
    expect(Buffer.from(secret.data.url, 'base64').toString()).toBe(
      'https://hooks.slack.com/T0/B0/x',
    );
    const release = cluster.api.get(releaseRef('alerts')) as any;
    expect(release.spec.chartRef).toEqual({
      kind: 'OCIRepository',
      name: 'alerts',
    });
    expect(JSON.stringify(release.spec)).not.toContain('hooks.slack.com');
    expect(JSON.stringify(instance('alerts'))).not.toContain('hooks.slack.com');
  });

  it('fails with the credential named when it does not exist', async () => {
    activate({ service: 'alerts', spec: { slackCredential: 'missing' } });
    const failed = await until('alerts', i => i?.status?.phase === 'Failed');
    expect(failed!.status!.message).toBe(
      'credential "missing" (spec field /slackCredential) does not exist',
    );
  });
});
