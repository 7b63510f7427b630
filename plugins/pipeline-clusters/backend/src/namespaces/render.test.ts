import {
  V1LimitRange,
  V1NetworkPolicy,
  V1ResourceQuota,
  V1RoleBinding,
} from '@kubernetes/client-node';
import { InputError } from '@backstage/errors';
import {
  createNamespaceSchema,
  TeamNamespaceSpec,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import {
  KyvernoPolicy,
  oidcGroupName,
  parseQuantity,
  renderTeamNamespace,
} from './render';

const spec = (input: Record<string, unknown> = {}): TeamNamespaceSpec =>
  createNamespaceSchema.parse({
    namespace: 'payments-dev',
    team: 'group:default/payments',
    ...input,
  });

const byKind = <T>(kind: string, name?: string) =>
  renderTeamNamespace(spec()).find(
    o => o.kind === kind && (!name || o.metadata?.name === name),
  ) as T;

describe('renderTeamNamespace', () => {
  it('renders the guardrails before the RoleBinding that lets the team in', () => {
    expect(
      renderTeamNamespace(spec()).map(o => `${o.kind}/${o.metadata?.name}`),
    ).toEqual([
      'Namespace/payments-dev',
      'ResourceQuota/team-quota',
      'LimitRange/container-defaults',
      'NetworkPolicy/deny-from-other-namespaces',
      'Policy/disallow-privileged',
      'Policy/require-limits',
      'RoleBinding/team-admin',
    ]);
  });

  it('labels every object with the team and the manager', () => {
    const [ns, ...inside] = renderTeamNamespace(spec());
    for (const object of [ns, ...inside]) {
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

  it('binds the group, as the OIDC groups claim names it, to admin', () => {
    const rb = byKind<V1RoleBinding>('RoleBinding');
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

  it('only lets pods of the same namespace in', () => {
    const np = byKind<V1NetworkPolicy>('NetworkPolicy');
    expect(np.spec).toEqual({
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{ _from: [{ podSelector: {} }] }],
    });
  });

  it('enforces the Kyverno policies', () => {
    for (const name of ['disallow-privileged', 'require-limits']) {
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
