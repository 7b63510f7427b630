import {
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
} from '@kubernetes/client-node';
import { ConflictError, InputError } from '@backstage/errors';
import {
  createNamespaceSchema,
  TeamNamespaceSpec,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { KubeApi, startKubeApi } from '@pipeline-portal/testing';
import { applyTeamNamespace } from './apply';
import { renderTeamNamespace } from './render';

const spec = (input: Record<string, unknown> = {}): TeamNamespaceSpec =>
  createNamespaceSchema.parse({
    namespace: 'payments-dev',
    team: 'group:default/payments',
    ...input,
  });

const kubeConfigOf = (api: KubeApi) => {
  const kc = new KubeConfig();
  kc.loadFromOptions(api.kubeConfig);
  return kc;
};

const EXPECTED = [
  'Namespace/payments-dev',
  'ResourceQuota/team-quota',
  'LimitRange/container-defaults',
  'NetworkPolicy/deny-from-other-namespaces',
  'Policy/disallow-privileged',
  'Policy/require-limits',
  'RoleBinding/team-admin',
];

describe('applyTeamNamespace', () => {
  let api: KubeApi;
  let kc: KubeConfig;

  beforeAll(async () => {
    api = await startKubeApi({ crds: ['kyverno.io/policies.yaml'] });
    kc = kubeConfigOf(api);
  });
  afterAll(() => api.close());

  const get = (apiVersion: string, kind: string, name: string) =>
    api.get({ apiVersion, kind, name, namespace: 'payments-dev' }) as any;

  it('creates every object, in the wire format the API expects', async () => {
    const result = await applyTeamNamespace(kc, spec());
    expect(result).toEqual({ namespace: 'payments-dev', objects: EXPECTED });

    const ns = api.get({
      apiVersion: 'v1',
      kind: 'Namespace',
      name: 'payments-dev',
    }) as any;
    expect(ns.metadata.labels).toMatchObject({
      'pipeline-portal.io/team': 'payments',
      'pipeline-portal.io/managed-by': 'pipeline-portal',
    });
    expect(get('v1', 'ResourceQuota', 'team-quota').spec.hard).toEqual({
      'requests.cpu': '4',
      'requests.memory': '8Gi',
      'limits.cpu': '4',
      'limits.memory': '8Gi',
      pods: '50',
    });
    // `_default` / `_from` of the typed models went out as `default` / `from`.
    expect(get('v1', 'LimitRange', 'container-defaults').spec.limits).toEqual([
      {
        type: 'Container',
        default: { cpu: '500m', memory: '512Mi' },
        defaultRequest: { cpu: '100m', memory: '128Mi' },
      },
    ]);
    expect(
      get('networking.k8s.io/v1', 'NetworkPolicy', 'deny-from-other-namespaces')
        .spec,
    ).toEqual({
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: {} }] }],
    });
    const rb = get('rbac.authorization.k8s.io/v1', 'RoleBinding', 'team-admin');
    expect(rb.subjects).toEqual([
      {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'Group',
        name: 'payments',
      },
    ]);
    for (const object of api.list('v1', 'Namespace') as any[]) {
      // nothing but the team namespace was added
      expect([
        'default',
        'kube-system',
        'kube-public',
        'kube-node-lease',
        'payments-dev',
      ]).toContain(object.metadata.name);
    }
  });

  it('stores the Kyverno policies as rendered: valid against the real CRD, nothing pruned', async () => {
    const rendered = renderTeamNamespace(spec()).filter(
      o => o.kind === 'Policy',
    ) as any[];
    for (const policy of rendered) {
      const stored = get('kyverno.io/v1', 'Policy', policy.metadata.name);
      expect(stored.spec).toMatchObject(policy.spec);
      expect(stored.spec.rules[0].validate.failureAction).toBe('Enforce');
    }
  });

  it('is idempotent: a second apply succeeds and changes nothing', async () => {
    const versions = () =>
      EXPECTED.map(r => {
        const [kind, name] = r.split('/');
        const apiVersion = {
          Namespace: 'v1',
          ResourceQuota: 'v1',
          LimitRange: 'v1',
          NetworkPolicy: 'networking.k8s.io/v1',
          Policy: 'kyverno.io/v1',
          RoleBinding: 'rbac.authorization.k8s.io/v1',
        }[kind]!;
        return (
          api.get({ apiVersion, kind, name, namespace: 'payments-dev' }) as any
        ).metadata.resourceVersion;
      });
    const before = versions();
    const rv = api.resourceVersion;
    await expect(applyTeamNamespace(kc, spec())).resolves.toEqual({
      namespace: 'payments-dev',
      objects: EXPECTED,
    });
    expect(versions()).toEqual(before);
    expect(api.resourceVersion).toBe(rv);
  });

  it('updates the quota in place when the spec changes', async () => {
    await applyTeamNamespace(
      kc,
      spec({ quota: { cpu: '8', memory: '16Gi', pods: 100 } }),
    );
    expect(get('v1', 'ResourceQuota', 'team-quota').spec.hard).toMatchObject({
      'limits.cpu': '8',
      pods: '100',
    });
  });

  it('the CRD really validates: a broken policy is refused with the field path', async () => {
    const objects = renderTeamNamespace(spec()) as any[];
    const policy = structuredClone(objects.find(o => o.kind === 'Policy'));
    policy.spec.rules[0].validate.failureAction = 'Block';
    const client = KubernetesObjectApi.makeApiClient(kc);
    await expect(
      client.patch(
        policy,
        undefined,
        undefined,
        'test',
        true,
        PatchStrategy.ServerSideApply,
      ),
    ).rejects.toMatchObject({
      code: 422,
      body: expect.stringContaining('spec.rules[0].validate.failureAction'),
    });
  });

  it('refuses a namespace that belongs to another team', async () => {
    await expect(
      applyTeamNamespace(kc, spec({ team: 'group:default/billing' })),
    ).rejects.toThrow(ConflictError);
    await expect(
      applyTeamNamespace(kc, spec({ team: 'group:default/billing' })),
    ).rejects.toThrow(
      'namespace: "payments-dev" belongs to group:default/payments',
    );
  });

  it('refuses a namespace the portal does not manage', async () => {
    api.create({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'legacy' },
    });
    await expect(
      applyTeamNamespace(kc, spec({ namespace: 'legacy' })),
    ).rejects.toThrow(
      'namespace: "legacy" already exists and is not managed by the portal',
    );
  });

  it('validates names before touching the cluster', async () => {
    api.requests.clear();
    const bad = { ...spec(), namespace: 'Payments_Dev' };
    await expect(applyTeamNamespace(kc, bad)).rejects.toThrow(InputError);
    await expect(applyTeamNamespace(kc, bad)).rejects.toThrow(
      /^namespace: must be an RFC 1123 label/,
    );
    await expect(
      applyTeamNamespace(kc, { ...spec(), namespace: 'kube-system' }),
    ).rejects.toThrow(/reserved/);
    expect(api.requests.count()).toBe(0);
  });
});

describe('applyTeamNamespace without Kyverno', () => {
  let api: KubeApi;
  beforeAll(async () => {
    api = await startKubeApi();
  });
  afterAll(() => api.close());

  it('says Kyverno is missing and writes nothing', async () => {
    const attempt = applyTeamNamespace(kubeConfigOf(api), spec());
    await expect(attempt).rejects.toThrow(InputError);
    await expect(applyTeamNamespace(kubeConfigOf(api), spec())).rejects.toThrow(
      /^Kyverno is not installed on the cluster "[^"]+": the kyverno.io\/v1 Policy kind is not served/,
    );
    expect(
      api.get({ apiVersion: 'v1', kind: 'Namespace', name: 'payments-dev' }),
    ).toBeUndefined();
  });
});
