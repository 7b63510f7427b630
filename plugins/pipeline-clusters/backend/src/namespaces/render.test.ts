import {
  V1LimitRange,
  V1NetworkPolicy,
  V1ResourceQuota,
  V1RoleBinding,
  V1ServiceAccount,
} from '@kubernetes/client-node';
import { InputError } from '@backstage/errors';
import {
  createNamespaceSchema,
  PIPELINE_SERVICE_ACCOUNT,
  TeamNamespaceSpec,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import {
  KyvernoPolicy,
  oidcGroupName,
  parseQuantity,
  renderTeamNamespace,
} from './render';
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

const byKind = <T>(
  kind: string,
  name?: string,
  settings: TeamNamespaceSettings = DEFAULT_TEAM_NAMESPACE_SETTINGS,
) =>
  renderTeamNamespace(spec(), settings).find(
    o => o.kind === kind && (!name || o.metadata?.name === name),
  ) as T;

const settingsWith = (changes: Partial<TeamNamespaceSettings>) => ({
  ...DEFAULT_TEAM_NAMESPACE_SETTINGS,
  ...changes,
});

describe('renderTeamNamespace', () => {
  it('renders the guardrails before the RoleBinding that lets the team in', () => {
    expect(
      renderTeamNamespace(spec()).map(o => `${o.kind}/${o.metadata?.name}`),
    ).toEqual([
      'Namespace/payments-dev',
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
    ]);
  });

  it('labels every object with the team and the manager', () => {
    const [ns, ...inside] = renderTeamNamespace(spec());
    expect(ns.metadata?.labels).toMatchObject({
      'pipeline-portal.io/team': 'payments',
      'pipeline-portal.io/managed-by': 'pipeline-portal',
    });
    for (const object of inside) {
      expect(object.metadata?.labels).toEqual({
        'pipeline-portal.io/team': 'payments',
        'pipeline-portal.io/managed-by': 'pipeline-portal',
      });
    }
    expect(inside.map(o => o.metadata?.namespace)).toEqual(
      inside.map(() => 'payments-dev'),
    );
    expect(byKind<any>('Namespace').metadata.annotations).toEqual({
      'pipeline-portal.io/owner': 'group:default/payments',
    });
  });

  it('labels the namespace for Pod Security Admission: baseline enforced at a pinned version, restricted warned and audited', () => {
    const ns = byKind<any>('Namespace');
    expect(ns.metadata.labels).toEqual({
      'pipeline-portal.io/team': 'payments',
      'pipeline-portal.io/managed-by': 'pipeline-portal',
      'pod-security.kubernetes.io/enforce': 'baseline',
      'pod-security.kubernetes.io/enforce-version': 'v1.31',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/warn-version': 'latest',
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/audit-version': 'latest',
    });
  });

  it('gives the namespace its pipeline account, bound to edit there only, and no token to the default account', () => {
    expect(PIPELINE_SERVICE_ACCOUNT).toBe('pipeline');
    const pipeline = byKind<V1ServiceAccount>('ServiceAccount', 'pipeline');
    expect(pipeline.metadata).toMatchObject({
      name: 'pipeline',
      namespace: 'payments-dev',
    });
    // Its pods need the token: the cd pipelines run helm against the API.
    expect(pipeline.automountServiceAccountToken).toBeUndefined();
    const binding = byKind<V1RoleBinding>('RoleBinding', 'pipeline-edit');
    expect(binding.metadata?.namespace).toBe('payments-dev');
    expect(binding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: 'edit',
    });
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'pipeline', namespace: 'payments-dev' },
    ]);
    const fallback = byKind<V1ServiceAccount>('ServiceAccount', 'default');
    expect(fallback.automountServiceAccountToken).toBe(false);
  });

  it('binds the group, as the OIDC groups claim names it, to admin', () => {
    const rb = byKind<V1RoleBinding>('RoleBinding', 'team-admin');
    expect(rb.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: 'admin',
    });
    expect(rb.subjects).toEqual([
      {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'Group',
        name: 'payments',
      },
    ]);
    expect(oidcGroupName('group:finance/payments')).toBe('finance/payments');
    const other = renderTeamNamespace(spec({ team: 'group:finance/payments' }));
    expect(other[0].metadata?.labels?.['pipeline-portal.io/team']).toBe(
      'finance.payments',
    );
  });

  it('sets quota and container defaults from the spec', () => {
    const objects = renderTeamNamespace(
      spec({
        quota: { cpu: '8', memory: '16Gi', pods: 80 },
        limits: { defaultCpu: '1', defaultMemory: '1Gi' },
      }),
    );
    const quota = objects[1] as V1ResourceQuota;
    expect(quota.spec?.hard).toEqual({
      'requests.cpu': '8',
      'requests.memory': '16Gi',
      'limits.cpu': '8',
      'limits.memory': '16Gi',
      pods: '80',
    });
    const limits = objects[2] as V1LimitRange;
    expect(limits.spec?.limits).toEqual([
      {
        type: 'Container',
        _default: { cpu: '1', memory: '1Gi' },
        defaultRequest: { cpu: '100m', memory: '128Mi' },
      },
    ]);
  });

  it('denies egress but DNS and the namespace itself by default', () => {
    const np = byKind<V1NetworkPolicy>(
      'NetworkPolicy',
      'deny-egress-except-allowed',
    );
    expect(np.spec).toEqual({
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [
            {
              namespaceSelector: {
                matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' },
              },
              podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
            },
          ],
          ports: [
            { port: 53, protocol: 'UDP' },
            { port: 53, protocol: 'TCP' },
          ],
        },
        { to: [{ podSelector: {} }] },
      ],
    });
  });

  it('allows the configured destinations, never the cloud metadata addresses', () => {
    const egressAllow = [
      egressDestination('0.0.0.0/0', [{ port: 443, protocol: 'TCP' }], 'a'),
      egressDestination('::/0', undefined, 'b'),
      egressDestination('100.64.0.0/10', undefined, 'c'),
      egressDestination('10.20.0.0/16', undefined, 'd'),
    ];
    const np = byKind<V1NetworkPolicy>(
      'NetworkPolicy',
      'deny-egress-except-allowed',
      settingsWith({ egressAllow }),
    );
    expect(np.spec?.egress?.slice(2)).toEqual([
      {
        to: [
          {
            ipBlock: {
              cidr: '0.0.0.0/0',
              except: ['169.254.169.254/32', '100.100.100.200/32'],
            },
          },
        ],
        ports: [{ port: 443, protocol: 'TCP' }],
      },
      { to: [{ ipBlock: { cidr: '::/0', except: ['fd00:ec2::254/128'] } }] },
      {
        to: [
          {
            ipBlock: { cidr: '100.64.0.0/10', except: ['100.100.100.200/32'] },
          },
        ],
      },
      { to: [{ ipBlock: { cidr: '10.20.0.0/16' } }] },
    ]);
  });

  it('only lets pods of the same namespace in', () => {
    const np = byKind<V1NetworkPolicy>(
      'NetworkPolicy',
      'deny-from-other-namespaces',
    );
    expect(np.spec).toEqual({
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{ _from: [{ podSelector: {} }] }],
    });
  });

  it('refuses NodePort and LoadBalancer Services and externalIPs', () => {
    const policy = byKind<KyvernoPolicy>('Policy', 'restrict-services');
    expect(
      policy.spec.rules.map(r => [
        r.name,
        r.match.any[0].resources.kinds,
        r.validate.pattern,
      ]),
    ).toEqual([
      ['no-node-ports', ['Service'], { spec: { '=(type)': '!NodePort' } }],
      [
        'no-load-balancers',
        ['Service'],
        { spec: { '=(type)': '!LoadBalancer' } },
      ],
      ['no-external-ips', ['Service'], { spec: { 'X(externalIPs)': 'null' } }],
    ]);
    const allowed = byKind<KyvernoPolicy>(
      'Policy',
      'restrict-services',
      settingsWith({ allowLoadBalancerServices: true }),
    );
    expect(allowed.spec.rules.map(r => r.name)).toEqual([
      'no-node-ports',
      'no-external-ips',
    ]);
  });

  it('restricts images to the configured registries, in every container list', () => {
    expect(byKind('Policy', 'restrict-image-registries')).toBeUndefined();
    const policy = byKind<KyvernoPolicy>(
      'Policy',
      'restrict-image-registries',
      settingsWith({
        allowedRegistries: ['ghcr.io/acme', 'registry.example.com:5000'],
      }),
    );
    const image = 'ghcr.io/acme/* | registry.example.com:5000/*';
    expect(policy.spec.rules).toEqual([
      {
        name: 'allowed-registries',
        match: { any: [{ resources: { kinds: ['Pod'] } }] },
        validate: {
          failureAction: 'Enforce',
          message:
            'Images must come from ghcr.io/acme, registry.example.com:5000, named with the registry.',
          pattern: {
            spec: {
              '=(ephemeralContainers)': [{ image }],
              '=(initContainers)': [{ image }],
              containers: [{ image }],
            },
          },
        },
      },
    ]);
  });

  it('enforces the Kyverno policies', () => {
    for (const name of [
      'disallow-privileged',
      'require-limits',
      'restrict-services',
    ]) {
      const policy = byKind<KyvernoPolicy>('Policy', name);
      expect(policy.apiVersion).toBe('kyverno.io/v1');
      expect(policy.spec.validationFailureAction).toBe('Enforce');
      for (const rule of policy.spec.rules) {
        expect(rule.validate.failureAction).toBe('Enforce');
      }
    }
    const privileged = byKind<KyvernoPolicy>('Policy', 'disallow-privileged');
    expect(privileged.spec.rules.map(r => r.name)).toEqual([
      'privileged-containers',
      'privilege-escalation',
    ]);
    expect(
      (privileged.spec.rules[0].validate.pattern as any).spec.containers,
    ).toEqual([{ '=(securityContext)': { '=(privileged)': 'false' } }]);
  });

  it.each([
    [{ namespace: 'Bad_Name' }, /^namespace: must be an RFC 1123 label/],
    [{ namespace: 'kube-system' }, /^namespace: "kube-system" is reserved/],
    [{ namespace: 'default' }, /^namespace: "default" is reserved/],
    [{ team: 'user:default/alice' }, /^team: /],
    [{ quota: { cpu: 'lots' } }, /^quota\.cpu: must be a Kubernetes quantity/],
    [
      { limits: { defaultRequestCpu: '2', defaultCpu: '1' } },
      /^limits\.defaultRequestCpu: 2 is greater than limits\.defaultCpu/,
    ],
    [
      { quota: { memory: '256Mi' } },
      /^limits\.defaultMemory: 512Mi is greater than quota\.memory/,
    ],
  ])('refuses %j naming the field', (input, message) => {
    const bad = {
      namespace: 'payments-dev',
      team: 'group:default/payments',
      ...input,
    } as unknown as TeamNamespaceSpec;
    expect(() => renderTeamNamespace(bad)).toThrow(InputError);
    expect(() => renderTeamNamespace(bad)).toThrow(message);
  });

  it('compares quantities across units', () => {
    expect(parseQuantity('500m')).toBe(0.5);
    expect(parseQuantity('1Gi')).toBeGreaterThan(parseQuantity('1000Mi'));
    expect(parseQuantity('1G')).toBeLessThan(parseQuantity('1Gi'));
  });
});
