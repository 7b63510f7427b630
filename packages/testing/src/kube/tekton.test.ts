import { Clients, eventually, startWithClients } from './__testUtils__/clients';
import { playTekton, TEKTON_CRDS, TektonDouble } from './tekton';

const run = (name: string, labels: Record<string, string> = {}) => ({
  apiVersion: 'tekton.dev/v1',
  kind: 'PipelineRun',
  metadata: { name, namespace: 'payments', labels },
  spec: {
    pipelineSpec: {
      tasks: [
        { name: 'lint', taskRef: { name: 'npm' } },
        { name: 'test', taskRef: { name: 'npm' } },
      ],
    },
    params: [{ name: 'revision', value: '0123456' }],
  },
});

const succeeded = (o: any) =>
  o?.status?.conditions?.find((c: any) => c.type === 'Succeeded');

describe('kube double: Tekton PipelineRun controller', () => {
  let c: Clients;
  let tekton: TektonDouble;
  beforeEach(async () => {
    c = await startWithClients({ crds: TEKTON_CRDS, namespaces: ['payments'] });
    tekton = playTekton(c.api, { startAfterMs: 1, finishAfterMs: 1 });
  });
  afterEach(async () => {
    tekton.stop();
    await c.api.close();
  });

  const create = (body: object) =>
    c.custom.createNamespacedCustomObject({
      group: 'tekton.dev',
      version: 'v1',
      namespace: 'payments',
      plural: 'pipelineruns',
      body,
    });
  const read = async (name: string) =>
    (await c.custom.getNamespacedCustomObject({
      group: 'tekton.dev',
      version: 'v1',
      namespace: 'payments',
      plural: 'pipelineruns',
      name,
    })) as any;

  it('runs a created PipelineRun to Succeeded, with start and completion times', async () => {
    await create(run('orders-build-1'));
    const done = await eventually(() => {
      const o = c.api.get(run('orders-build-1')) as any;
      return succeeded(o)?.status === 'True' ? o : undefined;
    });
    expect(succeeded(done).reason).toBe('Succeeded');
    expect(succeeded(done).message).toBe(
      'Tasks Completed: 2 (Failed: 0, Cancelled 0), Skipped: 0',
    );
    expect(Date.parse(done.status.startTime)).not.toBeNaN();
    expect(Date.parse(done.status.completionTime)).toBeGreaterThanOrEqual(
      Date.parse(done.status.startTime),
    );
    // Tekton labels the run with its pipeline; the real client reads it back.
    const read1 = await read('orders-build-1');
    expect(read1.metadata.labels['tekton.dev/pipeline']).toBe('orders-build-1');
    expect(succeeded(read1).status).toBe('True');
    expect(tekton.started).toEqual(['payments/orders-build-1']);
  });

  it('holds matching runs Running until released, then fails those a fault matches', async () => {
    const release = tekton.holdRuns({
      labels: { 'pipeline-portal.io/pipeline': 'ci' },
    });
    const unfail = tekton.failRuns({ name: /^orders-ci-/ }, 'lint failed');
    await create(run('orders-ci-1', { 'pipeline-portal.io/pipeline': 'ci' }));
    await create(
      run('orders-build-2', { 'pipeline-portal.io/pipeline': 'build' }),
    );

    await eventually(
      () => succeeded(c.api.get(run('orders-build-2')))?.status === 'True',
    );
    const held = await read('orders-ci-1');
    expect(succeeded(held)).toMatchObject({
      status: 'Unknown',
      reason: 'Running',
    });
    expect(held.status.startTime).toBeDefined();
    expect(held.status.completionTime).toBeUndefined();

    release();
    const failed = await eventually(() => {
      const o = c.api.get(run('orders-ci-1')) as any;
      return succeeded(o)?.status === 'False' ? o : undefined;
    });
    expect(succeeded(failed)).toMatchObject({
      reason: 'Failed',
      message: 'lint failed',
    });
    expect(failed.status.completionTime).toBeDefined();

    unfail();
    await create(run('orders-ci-2', { 'pipeline-portal.io/pipeline': 'ci' }));
    await eventually(
      () => succeeded(c.api.get(run('orders-ci-2')))?.status === 'True',
    );
  });

  it('cancels a running run whose spec.status says so', async () => {
    tekton.holdRuns({ name: 'orders-cd-1' });
    await create(run('orders-cd-1'));
    await eventually(
      () => succeeded(c.api.get(run('orders-cd-1')))?.status === 'Unknown',
    );
    c.api.patch(run('orders-cd-1'), { spec: { status: 'Cancelled' } });
    const cancelled = await eventually(() => {
      const o = c.api.get(run('orders-cd-1')) as any;
      return succeeded(o)?.status === 'False' ? o : undefined;
    });
    expect(succeeded(cancelled).reason).toBe('Cancelled');
  });

  it('leaves a run deleted before it starts alone', async () => {
    tekton.stop();
    const slow = playTekton(c.api, { startAfterMs: 50 });
    await create(run('orders-gone'));
    c.api.delete(run('orders-gone'));
    // The start reaction runs, finds the run gone and writes nothing.
    await c.api.settle();
    slow.stop();
    expect(slow.started).toEqual([]);
    expect(c.api.get(run('orders-gone'))).toBeUndefined();
  });
});
