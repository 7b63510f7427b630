import { KubernetesObject } from '@kubernetes/client-node';
import { PIPELINE_SERVICE_ACCOUNT } from '@pipeline-portal/plugin-pipeline-clusters-common';
import {
  KYVERNO_API_VERSION,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  TEAM_LABEL,
} from './render';
import {
  CLOUD_METADATA_CIDRS,
  DEFAULT_TEAM_NAMESPACE_SETTINGS,
  EgressDestination,
  GuardianSubject,
  TeamNamespaceSettings,
} from './settings';

const KYVERNO_GROUP = 'kyverno.io';

/** The one ClusterPolicy guarding every team namespace of a cluster. */
export const GUARD_POLICY_NAME = 'pipeline-portal-team-namespaces';

/**
 * Every object the portal renders inside a team namespace, by Kyverno kind
 * selector (`group/version/Kind`, `*` for any version): the guard reserves
 * these names whether or not the current settings render them (the
 * registry policy, say), so nobody creates one first.
 */
export const GUARDED_OBJECTS: ReadonlyArray<{
  kind: string;
  names: readonly string[];
}> = [
  { kind: 'ResourceQuota', names: ['team-quota'] },
  { kind: 'LimitRange', names: ['container-defaults'] },
  {
    kind: 'networking.k8s.io/*/NetworkPolicy',
    names: ['deny-from-other-namespaces', 'deny-egress-except-allowed'],
  },
  {
    kind: `${KYVERNO_GROUP}/*/Policy`,
    names: [
      'disallow-privileged',
      'require-limits',
      'restrict-services',
      'restrict-image-registries',
    ],
  },
  { kind: 'ServiceAccount', names: ['default', PIPELINE_SERVICE_ACCOUNT] },
  {
    kind: 'rbac.authorization.k8s.io/*/RoleBinding',
    names: [`${PIPELINE_SERVICE_ACCOUNT}-edit`, 'team-admin'],
  },
];

/**
 * Kyverno kinds with which a namespace's own users could change what Kyverno
 * does to the portal's writes or objects there: exceptions from the guard,
 * policies that mutate (the portal's own apply included), generate, or
 * delete. Only those the cluster serves go into the guard: Kyverno before
 * 1.14 refuses a policy naming a kind it cannot find.
 */
export const POLICY_BYPASS_KINDS: ReadonlyArray<{
  group: string;
  kind: string;
}> = [
  { group: KYVERNO_GROUP, kind: 'PolicyException' },
  { group: KYVERNO_GROUP, kind: 'CleanupPolicy' },
  { group: 'policies.kyverno.io', kind: 'PolicyException' },
  { group: 'policies.kyverno.io', kind: 'NamespacedMutatingPolicy' },
  { group: 'policies.kyverno.io', kind: 'NamespacedGeneratingPolicy' },
  { group: 'policies.kyverno.io', kind: 'NamespacedDeletingPolicy' },
];

/**
 * Requests the guard always lets through, beside `cluster-admin`: the
 * control plane. Its namespace controller deletes every object of a
 * namespace being deleted, its service account controller creates the
 * `default` account, and the API server writes quota status, as one of
 * these depending on how kube-controller-manager authenticates.
 */
export const CONTROL_PLANE_SUBJECTS: readonly GuardianSubject[] = [
  { kind: 'Group', name: 'system:masters' },
  { kind: 'User', name: 'system:kube-controller-manager' },
  { kind: 'Group', name: 'system:serviceaccounts:kube-system' },
];

type Operation = 'CREATE' | 'UPDATE' | 'DELETE';

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: 'Exists' }>;
}

interface GuardFilter {
  resources?: {
    kinds: string[];
    names?: string[];
    selector?: LabelSelector;
    namespaceSelector: LabelSelector;
    operations: Operation[];
  };
  subjects?: GuardianSubject[];
  clusterRoles?: string[];
}

/** A rule of the guard: a deny condition or CEL expressions, enforced. */
export interface GuardRule {
  name: string;
  match: { any: GuardFilter[] };
  exclude?: { any: GuardFilter[] };
  skipBackgroundRequests: false;
  validate: {
    failureAction: 'Enforce';
    allowExistingViolations: false;
    message: string;
    deny?: {
      conditions: {
        any: Array<{ key: string; operator: 'AnyIn'; value: Operation[] }>;
      };
    };
    cel?: { expressions: Array<{ expression: string; message: string }> };
  };
}

/** A Kyverno `ClusterPolicy` (kyverno.io/v1): only the fields we set. */
export interface KyvernoClusterPolicy extends KubernetesObject {
  apiVersion: typeof KYVERNO_API_VERSION;
  kind: 'ClusterPolicy';
  spec: {
    validationFailureAction: 'Enforce';
    background: false;
    webhookConfiguration: { failurePolicy: 'Fail' };
    rules: GuardRule[];
  };
}

export interface GuardOptions {
  /**
   * The bypass kinds the cluster serves, as `group/Kind`; absent: none
   * (the rule against them is left out).
   */
  servedBypassKinds?: readonly string[];
}

type RuleInput = Omit<GuardRule, 'skipBackgroundRequests' | 'validate'> & {
  validate: Omit<
    GuardRule['validate'],
    'failureAction' | 'allowExistingViolations'
  >;
};

/**
 * An enforced rule. Kyverno's defaults would open two doors, so both are
 * closed: `allowExistingViolations` lets an UPDATE through when the old
 * object fails the rule too, which for a rule that denies every UPDATE is
 * always; `skipBackgroundRequests` lets through what Kyverno's own
 * background controller writes, on behalf of a namespace's generate or
 * mutate-existing policies.
 */
const enforced = (rule: RuleInput): GuardRule => ({
  ...rule,
  skipBackgroundRequests: false,
  validate: {
    failureAction: 'Enforce',
    allowExistingViolations: false,
    ...rule.validate,
  },
});

/** Namespaces the portal created for a team. */
const TEAM_NAMESPACES: LabelSelector = {
  matchLabels: { [MANAGED_BY_LABEL]: MANAGED_BY },
  matchExpressions: [{ key: TEAM_LABEL, operator: 'Exists' }],
};

/** The metadata addresses without their prefix length, for `containsIP`. */
const METADATA_ADDRESSES = CLOUD_METADATA_CIDRS.map(c => c.split('/')[0]);

const operations = (...ops: Operation[]) => ops;

const or = (terms: string[]) => (terms.length ? terms.join(' || ') : 'false');

/** Every ipBlock peer of every egress rule must satisfy `condition`. */
const eachEgressIpBlock = (condition: string) =>
  `object.spec.?egress.orValue([]).all(rule, rule.?to.orValue([]).all(peer, !has(peer.ipBlock) || ${condition}))`;

/**
 * CEL: the peer's block lies inside a configured destination, and the
 * rule's ports are among that destination's (every port when the
 * destination names none).
 */
function withinConfiguredDestinations(allow: EgressDestination[]): string {
  const inside = (d: EgressDestination) =>
    `cidr('${d.cidr}').containsCIDR(peer.ipBlock.cidr)`;
  const anyPort = allow.filter(d => !d.ports).map(inside);
  const portTerms = allow.flatMap(d =>
    (d.ports ?? []).map(
      p =>
        `(${inside(d)} && has(p.port) && p.port == ${
          p.port
        } && p.?protocol.orValue('TCP') == '${p.protocol}')`,
    ),
  );
  const listedPorts = portTerms.length
    ? [
        `(rule.?ports.orValue([]).size() > 0 && rule.ports.all(p, !has(p.endPort) && (${or(
          portTerms,
        )})))`,
      ]
    : [];
  const allowed = [...anyPort, ...listedPorts];
  // Nothing configured: no IP block at all.
  return eachEgressIpBlock(
    allowed.length
      ? `(isCIDR(peer.ipBlock.cidr) && (${or(allowed)}))`
      : 'false',
  );
}

/** CEL expressions a NetworkPolicy must pass for anyone, the portal included. */
export function metadataEgressExpressions(): Array<{
  expression: string;
  message: string;
}> {
  const addresses = METADATA_ADDRESSES.map(a => `'${a}'`).join(', ');
  return [
    {
      expression:
        'object.spec.?egress.orValue([]).all(rule, rule.?to.orValue([]).size() > 0)',
      message:
        'Every egress rule of a NetworkPolicy in a team namespace must name its destinations (to): a rule without them allows every address, the cloud metadata service included.',
    },
    {
      expression: eachEgressIpBlock(
        '(isCIDR(peer.ipBlock.cidr) && peer.ipBlock.?except.orValue([]).all(e, isCIDR(e)))',
      ),
      message:
        'Egress ipBlock cidr and except values in a team namespace must be CIDRs such as 10.20.0.0/16 or 2001:db8::/32 (no leading zeros, no IPv4-mapped IPv6).',
    },
    {
      expression: eachEgressIpBlock(
        `!isCIDR(peer.ipBlock.cidr) || [${addresses}].all(address, !cidr(peer.ipBlock.cidr).containsIP(address) || peer.ipBlock.?except.orValue([]).exists(e, isCIDR(e) && cidr(e).containsIP(address)))`,
      ),
      message: `An egress ipBlock in a team namespace that holds a cloud metadata address (${CLOUD_METADATA_CIDRS.join(
        ', ',
      )}) must cut it out with except.`,
    },
  ];
}

/**
 * The cluster-wide guard of the team namespaces (a Kyverno ClusterPolicy,
 * applied with them): what the portal renders in a team namespace can be
 * changed, deleted or created under its name only by `cluster-admin`, the
 * control plane and the configured guardian subjects (the portal's own
 * credential); NetworkPolicies never open egress to the cloud metadata
 * addresses, whoever writes them; a team's own NetworkPolicies reach
 * addresses only inside `egress.allow`; and a team cannot add the Kyverno
 * objects that would get around the guard. The same settings render the
 * same object: applying it again changes nothing.
 */
export function renderTeamNamespaceGuard(
  settings: TeamNamespaceSettings = DEFAULT_TEAM_NAMESPACE_SETTINGS,
  options: GuardOptions = {},
): KyvernoClusterPolicy {
  const exclude = {
    any: [
      { clusterRoles: ['cluster-admin'] },
      {
        subjects: [...CONTROL_PLANE_SUBJECTS, ...settings.guardianSubjects].map(
          s => ({ ...s }),
        ),
      },
    ],
  };
  const inTeamNamespaces = (
    kinds: string[],
    ops: Operation[],
    extra: { names?: string[]; selector?: LabelSelector } = {},
  ): GuardFilter => ({
    resources: {
      kinds,
      ...extra,
      namespaceSelector: structuredClone(TEAM_NAMESPACES),
      operations: ops,
    },
  });
  const denyOperations = (ops: Operation[]) => ({
    conditions: {
      any: [
        {
          key: '{{ request.operation }}',
          operator: 'AnyIn' as const,
          value: ops,
        },
      ],
    },
  });

  const all = operations('CREATE', 'UPDATE', 'DELETE');
  const protect = enforced({
    name: 'protect-rendered-objects',
    match: {
      any: [
        ...GUARDED_OBJECTS.map(o =>
          inTeamNamespaces([o.kind], all, { names: [...o.names] }),
        ),
        // Anything labelled as the portal's, whatever its name.
        inTeamNamespaces(
          GUARDED_OBJECTS.map(o => o.kind),
          all,
          { selector: { matchLabels: { [MANAGED_BY_LABEL]: MANAGED_BY } } },
        ),
      ],
    },
    exclude,
    validate: {
      message:
        'This object is one of the guardrails the pipeline portal keeps in team namespaces: it cannot be changed, deleted or created here. Ask a portal admin.',
      deny: denyOperations(all),
    },
  });

  const networkPolicies = inTeamNamespaces(
    ['networking.k8s.io/*/NetworkPolicy'],
    operations('CREATE', 'UPDATE'),
  );
  // No exclude: nobody opens the metadata addresses to a team namespace.
  const metadata = enforced({
    name: 'egress-never-reaches-cloud-metadata',
    match: { any: [networkPolicies] },
    validate: {
      message:
        'NetworkPolicies in team namespaces never allow egress to the cloud metadata addresses.',
      cel: { expressions: metadataEgressExpressions() },
    },
  });

  const ranges = enforced({
    name: 'egress-within-configured-destinations',
    match: { any: [structuredClone(networkPolicies)] },
    exclude: structuredClone(exclude),
    validate: {
      message:
        'A NetworkPolicy of a team namespace may allow egress to IP blocks only inside the destinations the portal allows (pipelinePortal.clusters.namespaces.egress.allow), on their ports; pods and namespaces may be reached by selector.',
      cel: {
        expressions: [
          {
            expression: withinConfiguredDestinations(settings.egressAllow),
            message:
              settings.egressAllow.length === 0
                ? 'Egress to IP blocks is not allowed from team namespaces on this portal: ask a portal admin to add the destination to pipelinePortal.clusters.namespaces.egress.allow.'
                : `Egress IP blocks must lie inside ${settings.egressAllow
                    .map(
                      d =>
                        `${d.cidr}${
                          d.ports
                            ? ` (${d.ports
                                .map(p => `${p.port}/${p.protocol}`)
                                .join(', ')})`
                            : ''
                        }`,
                    )
                    .join(
                      ', ',
                    )}, with rules naming those ports; ask a portal admin for another destination.`,
          },
        ],
      },
    },
  });

  const teamPolicies = enforced({
    name: 'team-policies-only-validate',
    match: {
      any: [
        inTeamNamespaces(
          [`${KYVERNO_GROUP}/*/Policy`],
          operations('CREATE', 'UPDATE'),
        ),
      ],
    },
    exclude: structuredClone(exclude),
    validate: {
      message:
        'Kyverno policies in team namespaces may validate only: mutate and generate rules could rewrite the guardrails.',
      cel: {
        expressions: [
          {
            expression:
              '!object.spec.?rules.orValue([]).exists(r, has(r.mutate) || has(r.generate))',
            message:
              'Kyverno policies in team namespaces may validate only: mutate and generate rules could rewrite the guardrails.',
          },
        ],
      },
    },
  });

  const served = new Set(options.servedBypassKinds ?? []);
  const bypassKinds = POLICY_BYPASS_KINDS.filter(k =>
    served.has(`${k.group}/${k.kind}`),
  ).map(k => `${k.group}/*/${k.kind}`);
  const bypass: GuardRule | undefined = bypassKinds.length
    ? enforced({
        name: 'no-policy-bypass',
        match: {
          any: [inTeamNamespaces(bypassKinds, operations('CREATE', 'UPDATE'))],
        },
        exclude: structuredClone(exclude),
        validate: {
          message:
            'Policy exceptions and mutating, generating, deleting or cleanup policies cannot be created in team namespaces: ask a portal admin.',
          deny: denyOperations(operations('CREATE', 'UPDATE')),
        },
      })
    : undefined;

  const rules = [
    protect,
    metadata,
    ranges,
    teamPolicies,
    ...(bypass ? [bypass] : []),
  ];
  return {
    apiVersion: KYVERNO_API_VERSION,
    kind: 'ClusterPolicy',
    metadata: {
      name: GUARD_POLICY_NAME,
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY },
      annotations: {
        'policies.kyverno.io/title': 'Pipeline portal team namespace guard',
        'policies.kyverno.io/description':
          'Keeps the guardrails the pipeline portal renders in team namespaces (quota, limits, NetworkPolicies, Kyverno policies, service accounts, role bindings) from being changed from inside them, and NetworkPolicies there from reaching the cloud metadata addresses.',
      },
    },
    spec: {
      // Also on each rule (Kyverno ≥ 1.13); older Kyverno reads this one.
      validationFailureAction: 'Enforce',
      // Requests, not stored objects: background scans cannot see who asks.
      background: false,
      // Kyverno unreachable: refused, rather than the guard switched off.
      webhookConfiguration: { failurePolicy: 'Fail' },
      rules,
    },
  };
}
