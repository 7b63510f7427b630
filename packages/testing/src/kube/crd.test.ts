import {
  KubernetesObject,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { readCrdFile } from './crds';
import {
  Clients,
  failure,
  raw,
  startWithClients,
} from './__testUtils__/clients';

const cluster = (
  name: string,
  spec: Record<string, unknown> = {},
): KubernetesObject & { spec: Record<string, unknown> } => ({
  apiVersion: 'cluster.x-k8s.io/v1beta2',
  kind: 'Cluster',
  metadata: { name, namespace: 'default' },
  spec,
});

describe('kube double: custom resources from real CRDs', () => {
  let c: Clients;
  beforeAll(async () => {
    c = await startWithClients({ crds: ['cluster.x-k8s.io/clusters.yaml'] });
  });
  afterAll(() => c.api.close());

  it('serves a registered CRD and maintains generation on spec changes only', async () => {
    const created = await c.objects.create(cluster('c1', { paused: false }));
    expect(created.metadata?.generation).toBe(1);

    const patched = await c.objects.patch(
      cluster('c1', { paused: true }),
      undefined,
      undefined,
      undefined,
      undefined,
      PatchStrategy.MergePatch,
    );
    expect(patched.metadata?.generation).toBe(2);

    const labelled = await c.objects.patch(
      {
        ...cluster('c1'),
        metadata: { name: 'c1', namespace: 'default', labels: { env: 'dev' } },
      } as any,
      undefined,
      undefined,
      undefined,
      undefined,
      PatchStrategy.MergePatch,
    );
    expect(labelled.metadata?.generation).toBe(2);
    expect(Number(labelled.metadata?.resourceVersion)).toBeGreaterThan(
      Number(patched.metadata?.resourceVersion),
    );
  });

  it('rejects schema violations with 422 and API-server style field paths', async () => {
    const err = await failure(
      c.objects.create(
        cluster('bad', {
          controlPlaneEndpoint: { host: 'h', port: 'abc' },
          topology: { classRef: { name: 'cc' } },
        }),
      ),
    );
    expect(err.code).toBe(422);
    expect(err.status.reason).toBe('Invalid');
    expect(err.status.message).toMatch(
      /^Cluster\.cluster\.x-k8s\.io "bad" is invalid: \[/,
    );
    const fields = err.status.details.causes
      .map((x: { field: string }) => x.field)
      .sort();
    expect(fields).toEqual([
      'spec.controlPlaneEndpoint.port',
      'spec.topology.version',
    ]);
    expect(err.status.message).toContain(
      'spec.controlPlaneEndpoint.port: Invalid value: "string": spec.controlPlaneEndpoint.port in body must be of type integer: "string"',
    );
    expect(err.status.message).toContain(
      'spec.topology.version: Required value',
    );
    expect(err.status.details).toMatchObject({
      name: 'bad',
      group: 'cluster.x-k8s.io',
      kind: 'Cluster',
    });
  });

  it('status subresource: status writes go through /status only', async () => {
    await c.objects.create(cluster('c2', { paused: false }));
    const withStatus = await c.custom.patchNamespacedCustomObjectStatus(
      {
        group: 'cluster.x-k8s.io',
        version: 'v1beta2',
        namespace: 'default',
        plural: 'clusters',
        name: 'c2',
        body: { status: { phase: 'Provisioned' } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(withStatus.status.phase).toBe('Provisioned');
    expect(withStatus.metadata.generation).toBe(1);

    // Status in a main-resource update is ignored, spec changes apply.
    const updated = await c.objects.replace({
      ...withStatus,
      spec: { paused: true },
      status: { phase: 'Deleted' },
    });
    expect((updated as any).status.phase).toBe('Provisioned');
    expect((updated as any).spec.paused).toBe(true);
    expect(updated.metadata?.generation).toBe(2);

    // A spec change on /status is ignored.
    const current = await c.custom.getNamespacedCustomObjectStatus({
      group: 'cluster.x-k8s.io',
      version: 'v1beta2',
      namespace: 'default',
      plural: 'clusters',
      name: 'c2',
    });
    const replaced = await c.custom.replaceNamespacedCustomObjectStatus({
      group: 'cluster.x-k8s.io',
      version: 'v1beta2',
      namespace: 'default',
      plural: 'clusters',
      name: 'c2',
      body: {
        ...current,
        spec: { paused: false },
        status: { phase: 'Provisioning' },
      },
    });
    expect(replaced.spec.paused).toBe(true);
    expect(replaced.status.phase).toBe('Provisioning');
    expect(replaced.metadata.generation).toBe(2);

    // Status given on create is dropped, as with the real server.
    const fresh = await c.objects.create({
      ...cluster('c3', { paused: true }),
      status: { phase: 'Bogus' },
    } as any);
    expect((fresh as any).status).toBeUndefined();
  });

  it('serves every served version and answers 404 for others', async () => {
    const v1beta1 = await raw(
      c.api,
      'GET',
      '/apis/cluster.x-k8s.io/v1beta1/namespaces/default/clusters/c1',
    );
    expect(v1beta1.status).toBe(200);
    expect(v1beta1.json.apiVersion).toBe('cluster.x-k8s.io/v1beta1');
    const unserved = await raw(
      c.api,
      'GET',
      '/apis/cluster.x-k8s.io/v1alpha3/namespaces/default/clusters',
    );
    expect(unserved.status).toBe(404);
    expect(unserved.json).toMatchObject({
      kind: 'Status',
      reason: 'NotFound',
      code: 404,
    });
  });

  it('creates CRDs through the API (as kubectl apply would) and drops their objects on delete', async () => {
    const [crd] = readCrdFile('source.toolkit.fluxcd.io/helmrepositories.yaml');
    const res = await raw(
      c.api,
      'POST',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
      { body: crd },
    );
    expect(res.status).toBe(201);
    expect(
      res.json.status.conditions.map((x: { type: string }) => x.type),
    ).toContain('Established');
    const repo = await c.objects.create({
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'HelmRepository',
      metadata: { name: 'bitnami', namespace: 'default' },
      spec: { url: 'https://charts.bitnami.com/bitnami', interval: '10m' },
    } as any);
    expect(repo.metadata?.uid).toBeDefined();
    await raw(
      c.api,
      'DELETE',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/helmrepositories.source.toolkit.fluxcd.io',
    );
    const after = await raw(
      c.api,
      'GET',
      '/apis/source.toolkit.fluxcd.io/v1/namespaces/default/helmrepositories',
    );
    expect(after.status).toBe(404);
  });

  it('rejects a CRD whose name does not match plural.group', async () => {
    const [crd] = readCrdFile('source.toolkit.fluxcd.io/ocirepositories.yaml');
    const res = await raw(
      c.api,
      'POST',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
      {
        body: { ...crd, metadata: { name: 'wrong.example.com' } },
      },
    );
    expect(res.status).toBe(422);
    expect(res.json.details.causes[0].field).toBe('metadata.name');
  });

  it('prunes unknown fields (with a warning) and rejects them with fieldValidation=Strict', async () => {
    const body = { ...cluster('pruned', { paused: true, bogus: 1 }) };
    const res = await raw(
      c.api,
      'POST',
      '/apis/cluster.x-k8s.io/v1beta2/namespaces/default/clusters',
      { body },
    );
    expect(res.status).toBe(201);
    expect(res.json.spec).toEqual({ paused: true });
    expect(res.headers.warning).toContain('unknown field \\"spec.bogus\\"');
    const strict = await raw(
      c.api,
      'POST',
      '/apis/cluster.x-k8s.io/v1beta2/namespaces/default/clusters?fieldValidation=Strict',
      {
        body: cluster('strict', { bogus: 1 }),
      },
    );
    expect(strict.status).toBe(400);
    expect(strict.json.message).toContain('unknown field "spec.bogus"');
  });

  it('registers big CRDs (Tekton, Kyverno) and validates against them', async () => {
    c.api.registerCrd(readCrdFile('kyverno.io/clusterpolicies.yaml')[0]);
    c.api.registerCrd(readCrdFile('tekton.dev/pipelineruns.yaml')[0]);
    const bad = await failure(
      c.objects.create({
        apiVersion: 'tekton.dev/v1',
        kind: 'PipelineRun',
        metadata: { name: 'run-1', namespace: 'default' },
        spec: { pipelineRef: { name: 'build' }, timeouts: { pipeline: 5 } },
      } as any),
    );
    expect(bad.code).toBe(422);
    expect(bad.status.details.causes[0].field).toBe('spec.timeouts.pipeline');
    const ok = await c.objects.create({
      apiVersion: 'tekton.dev/v1',
      kind: 'PipelineRun',
      metadata: { name: 'run-2', namespace: 'default' },
      spec: {
        pipelineRef: { name: 'build' },
        params: [{ name: 'revision', value: 'main' }],
      },
    } as any);
    expect((ok as any).spec.params[0].value).toBe('main');
  });
});
