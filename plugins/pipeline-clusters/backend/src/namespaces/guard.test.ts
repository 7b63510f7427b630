import ipaddr from 'ipaddr.js';
import {
  createNamespaceSchema,
  TeamNamespaceSpec,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import {
  CONTROL_PLANE_SUBJECTS,
  GUARD_POLICY_NAME,
  GUARDED_OBJECTS,
  GuardRule,
  renderTeamNamespaceGuard,
} from './guard';
import { renderTeamNamespace } from './render';
import {
  CLOUD_METADATA_CIDRS,
  DEFAULT_TEAM_NAMESPACE_SETTINGS,
  egressDestination,
  TeamNamespaceSettings,
} from './settings';

const spec = (): TeamNamespaceSpec =>
  createNamespaceSchema.parse({
    namespace: 'payments-dev',
    team: 'group:default/payments',
  });

const PORTAL = {
  kind: 'ServiceAccount' as const,
  name: 'pipeline-portal',
  namespace: 'backstage',
};

/** Every setting that changes what is rendered, switched on. */
const EVERYTHING: TeamNamespaceSettings = {
  egressAllow: [
    egressDestination('0.0.0.0/0', [{ port: 443, protocol: 'TCP' }], 'a'),
    egressDestination('::/0', undefined, 'b'),
  ],
  allowedRegistries: ['ghcr.io/acme'],
  allowLoadBalancerServices: false,
  guardianSubjects: [PORTAL, { kind: 'Group', name: 'platform-admins' }],
};

const TEAM_NAMESPACES = {
  matchLabels: { 'pipeline-portal.io/managed-by': 'pipeline-portal' },
  matchExpressions: [{ key: 'pipeline-portal.io/team', operator: 'Exists' }],
};

const rule = (name: string, settings = EVERYTHING, served?: string[]) => {
  const found = renderTeamNamespaceGuard(settings, {
    servedBypassKinds: served,
  }).spec.rules.find(r => r.name === name);
  if (!found) throw new Error(`no rule ${name}`);
  return found;
};

const expressions = (r: GuardRule) =>
  r.validate.cel!.expressions.map(e => e.expression);

/** `group` of a Kyverno kind selector, '' for the core group. */
const selectorGroup = (selector: string) =>
  selector.includes('/') ? selector.split('/')[0] : '';
const selectorKind = (selector: string) => selector.split('/').pop();
const apiGroup = (apiVersion: string) =>
  apiVersion.includes('/') ? apiVersion.split('/')[0] : '';

describe('renderTeamNamespaceGuard', () => {
  it('is one ClusterPolicy, enforced, on requests only, failing closed', () => {
    const guard = renderTeamNamespaceGuard(EVERYTHING);
    expect(guard.apiVersion).toBe('kyverno.io/v1');
    expect(guard.kind).toBe('ClusterPolicy');
    expect(guard.metadata).toMatchObject({
      name: GUARD_POLICY_NAME,
      labels: { 'pipeline-portal.io/managed-by': 'pipeline-portal' },
    });
    expect(guard.metadata?.namespace).toBeUndefined();
    expect(guard.spec.validationFailureAction).toBe('Enforce');
    expect(guard.spec.background).toBe(false);
    expect(guard.spec.webhookConfiguration).toEqual({ failurePolicy: 'Fail' });
    for (const r of guard.spec.rules) {
      expect(r.validate.failureAction).toBe('Enforce');
      // Kyverno's defaults (true) would let an UPDATE through when the old
      // object fails too, and let its background controller through.
      expect(r.validate.allowExistingViolations).toBe(false);
      expect(r.skipBackgroundRequests).toBe(false);
      for (const filter of r.match.any) {
        expect(filter.resources?.namespaceSelector).toEqual(TEAM_NAMESPACES);
      }
    }
    expect(guard.spec.rules.map(r => r.name)).toEqual([
      'protect-rendered-objects',
      'egress-never-reaches-cloud-metadata',
      'egress-within-configured-destinations',
      'team-policies-only-validate',
    ]);
  });

  it('reserves the name of every object the portal renders in a team namespace', () => {
    const [, ...inside] = renderTeamNamespace(spec(), EVERYTHING);
    expect(inside.map(o => o.metadata?.name)).toContain(
      'restrict-image-registries',
    );
    for (const object of inside) {
      const entry = GUARDED_OBJECTS.find(
        o =>
          selectorKind(o.kind) === object.kind &&
          (selectorGroup(o.kind) === apiGroup(object.apiVersion!) ||
            !o.kind.includes('/')),
      );
      expect(entry?.names).toContain(object.metadata?.name);
      // ...and carries the label the second match selects by.
      expect(object.metadata?.labels).toMatchObject({
        'pipeline-portal.io/managed-by': 'pipeline-portal',
      });
    }
  });

  it('denies creating, changing and deleting them to all but cluster-admin, the control plane and the guardians', () => {
    const protect = rule('protect-rendered-objects');
    const all = ['CREATE', 'UPDATE', 'DELETE'];
    expect(protect.match.any).toEqual([
      ...GUARDED_OBJECTS.map(o => ({
        resources: {
          kinds: [o.kind],
          names: [...o.names],
          namespaceSelector: TEAM_NAMESPACES,
          operations: all,
        },
      })),
      {
        resources: {
          kinds: GUARDED_OBJECTS.map(o => o.kind),
          selector: {
            matchLabels: { 'pipeline-portal.io/managed-by': 'pipeline-portal' },
          },
          namespaceSelector: TEAM_NAMESPACES,
          operations: all,
        },
      },
    ]);
    expect(protect.match.any.map(f => f.resources!.kinds[0])).toEqual([
      'ResourceQuota',
      'LimitRange',
      'networking.k8s.io/*/NetworkPolicy',
      'kyverno.io/*/Policy',
      'ServiceAccount',
      'rbac.authorization.k8s.io/*/RoleBinding',
      'ResourceQuota',
    ]);
    expect(protect.exclude).toEqual({
      any: [
        { clusterRoles: ['cluster-admin'] },
        {
          subjects: [
            { kind: 'Group', name: 'system:masters' },
            { kind: 'User', name: 'system:kube-controller-manager' },
            { kind: 'Group', name: 'system:serviceaccounts:kube-system' },
            PORTAL,
            { kind: 'Group', name: 'platform-admins' },
          ],
        },
      ],
    });
    expect(protect.validate.deny).toEqual({
      conditions: {
        any: [
          { key: '{{ request.operation }}', operator: 'AnyIn', value: all },
        ],
      },
    });
    expect(protect.validate.cel).toBeUndefined();
  });

  it('lets only cluster-admin and the control plane through without guardians', () => {
    expect(
      rule('protect-rendered-objects', DEFAULT_TEAM_NAMESPACE_SETTINGS).exclude,
    ).toEqual({
      any: [
        { clusterRoles: ['cluster-admin'] },
        { subjects: [...CONTROL_PLANE_SUBJECTS] },
      ],
    });
  });

  it('refuses egress to the cloud metadata addresses from anyone, the portal and cluster-admin included', () => {
    const metadata = rule('egress-never-reaches-cloud-metadata');
    expect(metadata.exclude).toBeUndefined();
    expect(metadata.match.any).toEqual([
      {
        resources: {
          kinds: ['networking.k8s.io/*/NetworkPolicy'],
          namespaceSelector: TEAM_NAMESPACES,
          operations: ['CREATE', 'UPDATE'],
        },
      },
    ]);
    expect(expressions(metadata)).toEqual([
      // A rule without `to` allows every address.
      'object.spec.?egress.orValue([]).all(rule, rule.?to.orValue([]).size() > 0)',
      // What CEL cannot parse is refused rather than guessed at.
      'object.spec.?egress.orValue([]).all(rule, rule.?to.orValue([]).all(peer, !has(peer.ipBlock) || (isCIDR(peer.ipBlock.cidr) && peer.ipBlock.?except.orValue([]).all(e, isCIDR(e)))))',
      // Containment, not string comparison: 0.0.0.0/0, 169.254.0.0/16 and
      // 169.254.169.254/32 all hold the address unless except cuts it out.
      "object.spec.?egress.orValue([]).all(rule, rule.?to.orValue([]).all(peer, !has(peer.ipBlock) || !isCIDR(peer.ipBlock.cidr) || ['169.254.169.254', 'fd00:ec2::254', '100.100.100.200'].all(address, !cidr(peer.ipBlock.cidr).containsIP(address) || peer.ipBlock.?except.orValue([]).exists(e, isCIDR(e) && cidr(e).containsIP(address)))))",
    ]);
    expect(metadata.validate.cel!.expressions[2].message).toBe(
      'An egress ipBlock in a team namespace that holds a cloud metadata address (169.254.169.254/32, fd00:ec2::254/128, 100.100.100.200/32) must cut it out with except.',
    );
  });

  it('keeps the portal’s own egress policy inside what the guard allows', () => {
    // The metadata rule's containment, over what the portal renders: every
    // rule names destinations and every metadata address inside a block is
    // inside one of its excepts.
    const inside = (address: string, cidr: string) => {
      const ip = ipaddr.parse(address);
      const [network, bits] = ipaddr.parseCIDR(cidr);
      return ip.kind() === network.kind() && ip.match(network as any, bits);
    };
    const egress = renderTeamNamespace(spec(), EVERYTHING).find(
      o => o.metadata?.name === 'deny-egress-except-allowed',
    ) as any;
    const blocks = egress.spec.egress.flatMap((r: any) => {
      expect(r.to.length).toBeGreaterThan(0);
      return r.to.filter((p: any) => p.ipBlock).map((p: any) => p.ipBlock);
    });
    expect(blocks.map((b: any) => b.cidr)).toEqual(['0.0.0.0/0', '::/0']);
    for (const block of blocks) {
      for (const metadata of CLOUD_METADATA_CIDRS) {
        const address = metadata.split('/')[0];
        if (!inside(address, block.cidr)) continue;
        expect(
          (block.except ?? []).some((e: string) => inside(address, e)),
        ).toBe(true);
      }
    }
  });

  it('lets teams reach IP blocks only inside the configured destinations, on their ports', () => {
    const ranges = rule('egress-within-configured-destinations');
    expect(ranges.exclude).toEqual(rule('protect-rendered-objects').exclude);
    expect(expressions(ranges)).toEqual([
      "object.spec.?egress.orValue([]).all(rule, rule.?to.orValue([]).all(peer, !has(peer.ipBlock) || (isCIDR(peer.ipBlock.cidr) && (cidr('::/0').containsCIDR(peer.ipBlock.cidr) || (rule.?ports.orValue([]).size() > 0 && rule.ports.all(p, !has(p.endPort) && ((cidr('0.0.0.0/0').containsCIDR(peer.ipBlock.cidr) && has(p.port) && p.port == 443 && p.?protocol.orValue('TCP') == 'TCP'))))))))",
    ]);
    expect(ranges.validate.cel!.expressions[0].message).toBe(
      'Egress IP blocks must lie inside 0.0.0.0/0 (443/TCP), ::/0, with rules naming those ports; ask a portal admin for another destination.',
    );
  });

  it('allows teams no IP block at all when no destination is configured', () => {
    const ranges = rule(
      'egress-within-configured-destinations',
      DEFAULT_TEAM_NAMESPACE_SETTINGS,
    );
    expect(expressions(ranges)).toEqual([
      'object.spec.?egress.orValue([]).all(rule, rule.?to.orValue([]).all(peer, !has(peer.ipBlock) || false))',
    ]);
    expect(ranges.validate.cel!.expressions[0].message).toMatch(
      /^Egress to IP blocks is not allowed from team namespaces on this portal: ask a portal admin to add the destination to pipelinePortal.clusters.namespaces.egress.allow/,
    );
  });

  it('refuses team Kyverno policies that mutate or generate', () => {
    const policies = rule('team-policies-only-validate');
    expect(policies.match.any[0].resources).toEqual({
      kinds: ['kyverno.io/*/Policy'],
      namespaceSelector: TEAM_NAMESPACES,
      operations: ['CREATE', 'UPDATE'],
    });
    expect(policies.exclude).toEqual(rule('protect-rendered-objects').exclude);
    expect(expressions(policies)).toEqual([
      '!object.spec.?rules.orValue([]).exists(r, has(r.mutate) || has(r.generate))',
    ]);
  });

  it('refuses exceptions and mutating, generating, deleting or cleanup policies of the kinds the cluster serves', () => {
    const bypass = rule('no-policy-bypass', EVERYTHING, [
      'kyverno.io/PolicyException',
      'policies.kyverno.io/NamespacedMutatingPolicy',
      'example.com/Unrelated',
    ]);
    expect(bypass.match.any).toEqual([
      {
        resources: {
          kinds: [
            'kyverno.io/*/PolicyException',
            'policies.kyverno.io/*/NamespacedMutatingPolicy',
          ],
          namespaceSelector: TEAM_NAMESPACES,
          operations: ['CREATE', 'UPDATE'],
        },
      },
    ]);
    expect(bypass.exclude).toEqual(rule('protect-rendered-objects').exclude);
    expect(bypass.validate.deny).toEqual({
      conditions: {
        any: [
          {
            key: '{{ request.operation }}',
            operator: 'AnyIn',
            value: ['CREATE', 'UPDATE'],
          },
        ],
      },
    });
    // None served: no rule (Kyverno before 1.14 refuses unknown kinds).
    expect(
      renderTeamNamespaceGuard(EVERYTHING).spec.rules.map(r => r.name),
    ).not.toContain('no-policy-bypass');
  });

  it('renders the same object for the same settings, with balanced expressions', () => {
    const a = renderTeamNamespaceGuard(EVERYTHING, {
      servedBypassKinds: ['kyverno.io/CleanupPolicy'],
    });
    const b = renderTeamNamespaceGuard(EVERYTHING, {
      servedBypassKinds: ['kyverno.io/CleanupPolicy'],
    });
    expect(a).toEqual(b);
    for (const r of a.spec.rules) {
      for (const { expression } of r.validate.cel?.expressions ?? []) {
        let depth = 0;
        for (const c of expression) {
          if (c === '(' || c === '[') depth++;
          if (c === ')' || c === ']') depth--;
          expect(depth).toBeGreaterThanOrEqual(0);
        }
        expect(depth).toBe(0);
        expect(expression.split("'").length % 2).toBe(1);
      }
    }
  });
});
