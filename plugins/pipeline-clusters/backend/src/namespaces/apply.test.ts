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
import { KubeApi, KYVERNO_CRDS, startKubeApi } from '@pipeline-portal/testing';
import { expectNothingPruned } from '../distributions/__testUtils__/harness';
import { applyTeamNamespace } from './apply';
import { GUARD_POLICY_NAME, renderTeamNamespaceGuard } from './guard';
import { renderTeamNamespace } from './render';
import {
  DEFAULT_TEAM_NAMESPACE_SETTINGS,
  egressDestination,
  TeamNamespaceSettings,
} from './settings';

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
  `ClusterPolicy/${GUARD_POLICY_NAME}`,
  'ResourceQuota/team-quota',
  'LimitRange/container-defaults',
  'NetworkPolicy/deny-from-other-namespaces',
  'NetworkPolicy/deny-egress-except-allowed',
  'Policy/disallow-privileged',
  'Policy/require-limits',
  'Policy/restrict-services',
  'ServiceAccount/default',
  'ServiceAccount/pipeline',
  'RoleBinding/pipeline-edit',
  'RoleBinding/team-admin',
];

const API_VERSION: Record<string, string> = {
  Namespace: 'v1',
  ResourceQuota: 'v1',
  LimitRange: 'v1',
  ServiceAccount: 'v1',
  NetworkPolicy: 'networking.k8s.io/v1',
  Policy: 'kyverno.io/v1',
  ClusterPolicy: 'kyverno.io/v1',
  RoleBinding: 'rbac.authorization.k8s.io/v1',
};

/** Every setting that changes what is rendered, switched on. */
const EVERYTHING: TeamNamespaceSettings = {
  egressAllow: [
    egressDestination('0.0.0.0/0', [{ port: 443, protocol: 'TCP' }], 'a'),
    egressDestination('::/0', undefined, 'b'),
  ],
  allowedRegistries: ['ghcr.io/acme', 'registry.example.com:5000'],
  allowLoadBalancerServices: false,
  guardianSubjects: [
    { kind: 'ServiceAccount', name: 'pipeline-portal', namespace: 'backstage' },
    { kind: 'Group', name: 'platform-admins' },
  ],
};

const getGuard = (api: KubeApi) =>
  api.get({
    apiVersion: 'kyverno.io/v1',
    kind: 'ClusterPolicy',
    name: GUARD_POLICY_NAME,
  }) as any;

/** Requests that write: anything but reads and discovery. */
const writes = (api: KubeApi) =>
  api.requests.count(r => !['GET', 'HEAD'].includes(r.method));

describe('applyTeamNamespace', () => {
  let api: KubeApi;
  let kc: KubeConfig;

  beforeAll(async () => {
    api = await startKubeApi({ crds: KYVERNO_CRDS });
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

  it.each([
    ['the defaults', DEFAULT_TEAM_NAMESPACE_SETTINGS],
    ['every setting', EVERYTHING],
    [
      'load balancers allowed',
      { ...DEFAULT_TEAM_NAMESPACE_SETTINGS, allowLoadBalancerServices: true },
    ],
  ])(
    'with %s, every rendered Kyverno policy passes the real CRD schema unpruned',
    async (_what, settings) => {
      const namespace = `policies-${settings.egressAllow.length}-${settings.allowLoadBalancerServices}`;
      const result = await applyTeamNamespace(kc, spec({ namespace }), {
        settings,
      });
      const policies = renderTeamNamespace(
        spec({ namespace }),
        settings,
      ).filter(o => o.kind === 'Policy');
      expect(policies.length).toBeGreaterThanOrEqual(3);
      for (const policy of policies) {
        expect(result.objects).toContain(`Policy/${policy.metadata!.name}`);
        const stored = api.get({
          apiVersion: 'kyverno.io/v1',
          kind: 'Policy',
          name: policy.metadata!.name!,
          namespace,
        });
        expectNothingPruned((policy as any).spec, (stored as any).spec);
      }
      const egress = api.get({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        name: 'deny-egress-except-allowed',
        namespace,
      }) as any;
      expect(egress.spec.egress).toHaveLength(2 + settings.egressAllow.length);
    },
  );

  it('writes the namespace with its Pod Security labels, the pipeline account and its binding', async () => {
    const ns = api.get({
      apiVersion: 'v1',
      kind: 'Namespace',
      name: 'payments-dev',
    }) as any;
    expect(ns.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'baseline',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
    });
    expect(get('v1', 'ServiceAccount', 'pipeline').metadata.name).toBe(
      'pipeline',
    );
    expect(
      get('v1', 'ServiceAccount', 'default').automountServiceAccountToken,
    ).toBe(false);
    expect(
      get('rbac.authorization.k8s.io/v1', 'RoleBinding', 'pipeline-edit'),
    ).toMatchObject({
      roleRef: { kind: 'ClusterRole', name: 'edit' },
      subjects: [
        { kind: 'ServiceAccount', name: 'pipeline', namespace: 'payments-dev' },
      ],
    });
    expect(
      get('networking.k8s.io/v1', 'NetworkPolicy', 'deny-egress-except-allowed')
        .spec.policyTypes,
    ).toEqual(['Egress']);
  });

  it('is idempotent: a second apply succeeds and changes nothing', async () => {
    const versions = () =>
      EXPECTED.map(r => {
        const [kind, name] = r.split('/');
        const apiVersion = API_VERSION[kind];
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

  it('applies the cluster guard with the namespace: one for the cluster, updated in place', async () => {
    await applyTeamNamespace(kc, spec());
    const guards = () => api.list('kyverno.io/v1', 'ClusterPolicy') as any[];
    expect(guards().map(g => g.metadata.name)).toEqual([GUARD_POLICY_NAME]);
    const rv = getGuard(api).metadata.resourceVersion;

    await applyTeamNamespace(kc, spec({ namespace: 'payments-prod' }));
    expect(guards()).toHaveLength(1);
    expect(getGuard(api).metadata.resourceVersion).toBe(rv);

    // Other settings (a guardian added): the same object, updated.
    const settings = {
      ...DEFAULT_TEAM_NAMESPACE_SETTINGS,
      guardianSubjects: [{ kind: 'Group' as const, name: 'platform-admins' }],
    };
    await applyTeamNamespace(kc, spec({ namespace: 'payments-prod' }), {
      settings,
    });
    expect(guards()).toHaveLength(1);
    expect(getGuard(api).metadata.resourceVersion).not.toBe(rv);
    expect(getGuard(api).spec.rules[0].exclude.any[1].subjects).toContainEqual({
      kind: 'Group',
      name: 'platform-admins',
    });
    // Back to the defaults for the tests below.
    await applyTeamNamespace(kc, spec({ namespace: 'payments-prod' }));
    expectNothingPruned(renderTeamNamespaceGuard().spec, getGuard(api).spec);
    expect(
      getGuard(api).spec.rules[0].exclude.any[1].subjects,
    ).not.toContainEqual({ kind: 'Group', name: 'platform-admins' });
  });

  it.each([
    ['the defaults', DEFAULT_TEAM_NAMESPACE_SETTINGS, []],
    ['every setting', EVERYTHING, []],
    [
      'every setting and every bypass kind served',
      EVERYTHING,
      [
        'kyverno.io/PolicyException',
        'kyverno.io/CleanupPolicy',
        'policies.kyverno.io/PolicyException',
        'policies.kyverno.io/NamespacedMutatingPolicy',
        'policies.kyverno.io/NamespacedGeneratingPolicy',
        'policies.kyverno.io/NamespacedDeletingPolicy',
      ],
    ],
  ])(
    'with %s, the guard passes the real ClusterPolicy CRD schema unpruned',
    async (_what, settings, servedBypassKinds) => {
      const guard = renderTeamNamespaceGuard(settings, { servedBypassKinds });
      const client = KubernetesObjectApi.makeApiClient(kc);
      const stored = (await client.patch(
        structuredClone(guard),
        undefined,
        undefined,
        'test',
        true,
        PatchStrategy.ServerSideApply,
      )) as any;
      expectNothingPruned(guard.spec, stored.spec);
      expect(stored.metadata.labels).toEqual(guard.metadata!.labels);
      // Put back what the portal applies.
      await applyTeamNamespace(kc, spec());
    },
  );

  it('the CRD validates the guard too: a broken rule is refused with the field path', async () => {
    const guard = structuredClone(renderTeamNamespaceGuard()) as any;
    guard.spec.rules[0].match.any[0].resources.operations = ['REMOVE'];
    const client = KubernetesObjectApi.makeApiClient(kc);
    await expect(
      client.patch(
        guard,
        undefined,
        undefined,
        'test',
        true,
        PatchStrategy.ServerSideApply,
      ),
    ).rejects.toMatchObject({
      code: 422,
      body: expect.stringContaining(
        'spec.rules[0].match.any[0].resources.operations[0]',
      ),
    });
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

  it('refuses a namespace that belongs to another team, writing nothing', async () => {
    api.requests.clear();
    const attempt = applyTeamNamespace(
      kc,
      spec({ team: 'group:default/billing' }),
    );
    await expect(attempt).rejects.toThrow(ConflictError);
    await expect(attempt).rejects.toThrow(
      'namespace: "payments-dev" belongs to group:default/payments; only an admin may take it over',
    );
    expect(writes(api)).toBe(0);
    expect(
      get('rbac.authorization.k8s.io/v1', 'RoleBinding', 'team-admin')
        .subjects[0].name,
    ).toBe('payments');
  });

  it.each([
    ['without any label', {}],
    [
      // Someone wrote the owner annotation by hand: not created by the portal.
      'with the owner annotation but not the managed-by label',
      { annotations: { 'pipeline-portal.io/owner': 'group:default/payments' } },
    ],
    [
      'managed by something else',
      {
        labels: { 'pipeline-portal.io/managed-by': 'argocd' },
        annotations: { 'pipeline-portal.io/owner': 'group:default/payments' },
      },
    ],
  ])(
    'refuses a namespace the portal did not create (%s), writing nothing',
    async (_what, metadata) => {
      const name = `legacy-${Object.keys(metadata).length}-${
        (metadata as any).labels ? 'l' : 'n'
      }`;
      api.create({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name, ...metadata },
      });
      api.requests.clear();
      const attempt = applyTeamNamespace(kc, spec({ namespace: name }));
      await expect(attempt).rejects.toThrow(ConflictError);
      await expect(attempt).rejects.toThrow(
        `namespace: "${name}" already exists and was not created by the portal (no pipeline-portal.io/managed-by=pipeline-portal label); only an admin may take it over`,
      );
      expect(writes(api)).toBe(0);
      expect(
        api.get({
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'RoleBinding',
          name: 'team-admin',
          namespace: name,
        }),
      ).toBeUndefined();
    },
  );

  it('takes over with takeOver (an admin), saying what the namespace was', async () => {
    api.create({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'adopted', labels: { keep: 'me' } },
    });
    const result = await applyTeamNamespace(
      kc,
      spec({ namespace: 'adopted' }),
      { takeOver: true },
    );
    expect(result.tookOver).toEqual({ managed: false });
    const ns = api.get({
      apiVersion: 'v1',
      kind: 'Namespace',
      name: 'adopted',
    }) as any;
    expect(ns.metadata.labels).toMatchObject({
      keep: 'me',
      'pipeline-portal.io/managed-by': 'pipeline-portal',
    });
    const moved = await applyTeamNamespace(
      kc,
      spec({ namespace: 'adopted', team: 'group:default/billing' }),
      { takeOver: true },
    );
    expect(moved.tookOver).toEqual({
      owner: 'group:default/payments',
      managed: true,
    });
    // The same team again is no takeover.
    expect(
      (
        await applyTeamNamespace(
          kc,
          spec({ namespace: 'adopted', team: 'group:default/billing' }),
        )
      ).tookOver,
    ).toBeUndefined();
  });

  it('refuses, writing nothing else, a namespace changed after it was checked', async () => {
    await applyTeamNamespace(kc, spec({ namespace: 'raced' }));
    // The write of the namespace waits; meanwhile another team claims it.
    const slow = api.faults.add({
      path: '/api/v1/namespaces/raced',
      method: 'PATCH',
      latencyMs: 1_000,
      times: 1,
    });
    api.requests.clear();
    const attempt = applyTeamNamespace(kc, spec({ namespace: 'raced' }));
    attempt.catch(() => undefined);
    for (
      const end = Date.now() + 5_000;
      !api.requests.count(
        r => r.method === 'GET' && r.path === '/api/v1/namespaces/raced',
      );
      await new Promise(r => setTimeout(r, 10))
    ) {
      if (Date.now() > end) throw new Error('the namespace was never read');
    }
    const current = api.get({
      apiVersion: 'v1',
      kind: 'Namespace',
      name: 'raced',
    })!;
    api.update({
      ...current,
      metadata: {
        ...current.metadata,
        annotations: { 'pipeline-portal.io/owner': 'group:default/billing' },
      },
    });
    await expect(attempt).rejects.toThrow(ConflictError);
    await expect(attempt).rejects.toThrow(/Applying Namespace\/raced failed/);
    expect(slow.hits).toBe(1);
    // Nothing after the namespace was written.
    expect(
      api.requests.count(r => r.method === 'PATCH' && r.status < 300),
    ).toBe(0);
    expect(
      (api.get({ apiVersion: 'v1', kind: 'Namespace', name: 'raced' }) as any)
        .metadata.annotations['pipeline-portal.io/owner'],
    ).toBe('group:default/billing');
  });

  it('refuses a namespace someone else creates between the check and the create', async () => {
    const slow = api.faults.add({
      path: '/api/v1/namespaces',
      method: 'POST',
      latencyMs: 1_000,
      times: 1,
    });
    api.requests.clear();
    const attempt = applyTeamNamespace(kc, spec({ namespace: 'sniped' }));
    attempt.catch(() => undefined);
    for (
      const end = Date.now() + 5_000;
      !api.requests.count(
        r => r.method === 'GET' && r.path === '/api/v1/namespaces/sniped',
      );
      await new Promise(r => setTimeout(r, 10))
    ) {
      if (Date.now() > end) throw new Error('the namespace was never read');
    }
    api.create({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'sniped' },
    });
    await expect(attempt).rejects.toThrow(
      'namespace: "sniped" was created by someone else meanwhile; nothing was written',
    );
    expect(slow.hits).toBe(1);
    expect(api.requests.count(r => r.method === 'PATCH')).toBe(0);
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

describe('applyTeamNamespace with Kyverno’s Policy kind but not its ClusterPolicy', () => {
  let api: KubeApi;
  beforeAll(async () => {
    api = await startKubeApi({ crds: ['kyverno.io/policies.yaml'] });
  });
  afterAll(() => api.close());

  it('says the ClusterPolicy kind is missing and writes nothing', async () => {
    await expect(applyTeamNamespace(kubeConfigOf(api), spec())).rejects.toThrow(
      /^Kyverno is not installed on the cluster "[^"]+": the kyverno.io\/v1 ClusterPolicy kind is not served/,
    );
    expect(writes(api)).toBe(0);
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

/** A CustomResourceDefinition that keeps whatever it is given. */
const looseCrd = (group: string, version: string, kind: string) => {
  const plural = `${kind.toLowerCase()}s`;
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: {
        kind,
        plural,
        singular: kind.toLowerCase(),
        listKind: `${kind}List`,
      },
      versions: [
        {
          name: version,
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              'x-kubernetes-preserve-unknown-fields': true,
            },
          },
        },
      ],
    },
  };
};

describe('applyTeamNamespace where Kyverno serves exception and policy kinds', () => {
  let api: KubeApi;
  beforeAll(async () => {
    api = await startKubeApi({
      crds: [
        ...KYVERNO_CRDS,
        looseCrd('kyverno.io', 'v2', 'CleanupPolicy'),
        looseCrd('policies.kyverno.io', 'v1beta1', 'PolicyException'),
        looseCrd('policies.kyverno.io', 'v1', 'NamespacedMutatingPolicy'),
      ] as any,
    });
  });
  afterAll(() => api.close());

  it('names the served ones, and only those, in the guard', async () => {
    await applyTeamNamespace(kubeConfigOf(api), spec());
    const bypass = getGuard(api).spec.rules.find(
      (r: any) => r.name === 'no-policy-bypass',
    );
    expect(bypass.match.any[0].resources.kinds).toEqual([
      'kyverno.io/*/CleanupPolicy',
      'policies.kyverno.io/*/PolicyException',
      'policies.kyverno.io/*/NamespacedMutatingPolicy',
    ]);
  });
});
