import {
  KubernetesObject,
  V1LimitRange,
  V1Namespace,
  V1NetworkPolicy,
  V1NetworkPolicyEgressRule,
  V1ResourceQuota,
  V1RoleBinding,
  V1ServiceAccount,
} from '@kubernetes/client-node';
import { InputError } from '@backstage/errors';
import {
  createNamespaceSchema,
  describeIssues,
  PIPELINE_SERVICE_ACCOUNT,
  TeamNamespaceSpec,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import {
  DEFAULT_TEAM_NAMESPACE_SETTINGS,
  TeamNamespaceSettings,
} from './settings';

export const TEAM_LABEL = 'pipeline-portal.io/team';
export const MANAGED_BY_LABEL = 'pipeline-portal.io/managed-by';
export const MANAGED_BY = 'pipeline-portal';
/** The full owner entity ref: label values cannot hold `:` or `/`. */
export const OWNER_ANNOTATION = 'pipeline-portal.io/owner';

export const KYVERNO_API_VERSION = 'kyverno.io/v1';

/**
 * Pod Security Admission: `baseline` enforced, `restricted` warned about and
 * audited. Enforcement is pinned to a Kubernetes version so that a cluster
 * upgrade never starts refusing pods that ran the day before (the profiles
 * tighten between versions); warnings and audit follow `latest`, so teams
 * see what a later profile would refuse before the pin moves. v1.31 is the
 * oldest minor the portal offers; on an older imported cluster a newer
 * version is evaluated as that cluster's latest.
 */
export const POD_SECURITY_LABELS = {
  'pod-security.kubernetes.io/enforce': 'baseline',
  'pod-security.kubernetes.io/enforce-version': 'v1.31',
  'pod-security.kubernetes.io/warn': 'restricted',
  'pod-security.kubernetes.io/warn-version': 'latest',
  'pod-security.kubernetes.io/audit': 'restricted',
  'pod-security.kubernetes.io/audit-version': 'latest',
} as const;

/** A Kyverno `Policy` (kyverno.io/v1), namespaced: only the fields we set. */
export interface KyvernoPolicy extends KubernetesObject {
  apiVersion: typeof KYVERNO_API_VERSION;
  kind: 'Policy';
  spec: {
    validationFailureAction?: 'Audit' | 'Enforce';
    background?: boolean;
    rules: KyvernoRule[];
  };
}

/** A validate rule of a Kyverno policy: a pattern the resource must match. */
export interface KyvernoRule {
  name: string;
  match: { any: Array<{ resources: { kinds: string[] } }> };
  validate: {
    failureAction?: 'Audit' | 'Enforce';
    message: string;
    pattern: Record<string, unknown>;
  };
}

/**
 * Namespaces a team must never be handed: binding `admin` in them would give
 * the team control over the cluster itself.
 */
const RESERVED_NAMESPACE = /^(default|kube-.*|kyverno.*|openshift.*)$/;

/**
 * The group name as the cluster's OIDC `groups` claim carries it, which is how
 * the portal's identity provider emits Backstage groups:
 * `group:default/payments` → `payments`; a group outside the default
 * namespace keeps it, `group:finance/payments` → `finance/payments`.
 */
export function oidcGroupName(team: string): string {
  const match = /^group:([^/]+)\/(.+)$/.exec(team);
  if (!match) {
    throw new InputError(
      `team: must be a group entity ref such as group:default/payments, got "${team}"`,
    );
  }
  const [, namespace, name] = match;
  return namespace === 'default' ? name : `${namespace}/${name}`;
}

/** `pipeline-portal.io/team` value: the OIDC group name with `/` → `.`. */
export function teamLabelValue(team: string): string {
  return oidcGroupName(team).replace('/', '.');
}

const UNITS: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

/** A quantity in the format `createNamespaceSchema` accepts, as a number. */
export function parseQuantity(quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)(m|k|Ki|M|Mi|G|Gi|T|Ti)?$/.exec(quantity);
  if (!match) throw new InputError(`"${quantity}" is not a quantity`);
  return Number(match[1]) * UNITS[match[2] ?? ''];
}

/** Validates (defaults filled in) and checks what the API server would refuse later. */
function validate(spec: TeamNamespaceSpec): TeamNamespaceSpec {
  const parsed = createNamespaceSchema.safeParse(spec);
  if (!parsed.success) {
    throw new InputError(describeIssues(parsed.error));
  }
  const value = parsed.data;
  if (RESERVED_NAMESPACE.test(value.namespace)) {
    throw new InputError(
      `namespace: "${value.namespace}" is reserved for the cluster itself`,
    );
  }
  const label = teamLabelValue(value.team);
  if (label.length > 63) {
    throw new InputError(
      `team: "${value.team}" is too long for a label value (63 characters)`,
    );
  }
  const { quota, limits } = value;
  const notAbove = (
    field: string,
    amount: string,
    otherField: string,
    other: string,
  ) => {
    if (parseQuantity(amount) > parseQuantity(other)) {
      throw new InputError(
        `${field}: ${amount} is greater than ${otherField} (${other})`,
      );
    }
  };
  // The LimitRange admission check refuses a default request above the default limit.
  notAbove(
    'limits.defaultRequestCpu',
    limits.defaultRequestCpu,
    'limits.defaultCpu',
    limits.defaultCpu,
  );
  notAbove(
    'limits.defaultRequestMemory',
    limits.defaultRequestMemory,
    'limits.defaultMemory',
    limits.defaultMemory,
  );
  // A default above the quota would make every pod without explicit limits fail.
  notAbove('limits.defaultCpu', limits.defaultCpu, 'quota.cpu', quota.cpu);
  notAbove(
    'limits.defaultMemory',
    limits.defaultMemory,
    'quota.memory',
    quota.memory,
  );
  return value;
}

const podKinds = { any: [{ resources: { kinds: ['Pod'] } }] };
const serviceKinds = { any: [{ resources: { kinds: ['Service'] } }] };

/** An enforced rule (failureAction on the rule, as Kyverno ≥ 1.13 reads it). */
function enforced(
  name: string,
  match: KyvernoRule['match'],
  message: string,
  pattern: Record<string, unknown>,
): KyvernoRule {
  return {
    name,
    match,
    validate: { failureAction: 'Enforce', message, pattern },
  };
}

/** Every container list of a pod, so no container type slips through. */
function eachContainer(entry: Record<string, unknown>) {
  return {
    spec: {
      '=(ephemeralContainers)': [entry],
      '=(initContainers)': [entry],
      containers: [entry],
    },
  };
}

/**
 * The objects of a team's namespace, in the order they are applied: the
 * guardrails (quota, limits, network policy, Kyverno policies) exist before
 * the RoleBinding gives the team access.
 */
export function renderTeamNamespace(
  spec: TeamNamespaceSpec,
  settings: TeamNamespaceSettings = DEFAULT_TEAM_NAMESPACE_SETTINGS,
): KubernetesObject[] {
  const { namespace, team, quota, limits } = validate(spec);
  const labels = {
    [TEAM_LABEL]: teamLabelValue(team),
    [MANAGED_BY_LABEL]: MANAGED_BY,
  };
  const metadata = (name: string) => ({ name, namespace, labels });

  const ns: V1Namespace = {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: namespace,
      labels: { ...labels, ...POD_SECURITY_LABELS },
      annotations: { [OWNER_ANNOTATION]: team },
    },
  };

  // Requests and limits are capped at the same totals: no overcommit.
  const resourceQuota: V1ResourceQuota = {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: metadata('team-quota'),
    spec: {
      hard: {
        'requests.cpu': quota.cpu,
        'requests.memory': quota.memory,
        'limits.cpu': quota.cpu,
        'limits.memory': quota.memory,
        pods: String(quota.pods),
      },
    },
  };

  // Containers without resources get these, so the quota and the
  // require-limits policy do not reject them.
  const limitRange: V1LimitRange = {
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: metadata('container-defaults'),
    spec: {
      limits: [
        {
          type: 'Container',
          _default: { cpu: limits.defaultCpu, memory: limits.defaultMemory },
          defaultRequest: {
            cpu: limits.defaultRequestCpu,
            memory: limits.defaultRequestMemory,
          },
        },
      ],
    },
  };

  // An empty podSelector in `from` means "pods of this namespace" only.
  const networkPolicy: V1NetworkPolicy = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: metadata('deny-from-other-namespaces'),
    spec: {
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{ _from: [{ podSelector: {} }] }],
    },
  };

  const egressPolicy: V1NetworkPolicy = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: metadata('deny-egress-except-allowed'),
    spec: {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: egressRules(settings),
    },
  };

  // Both the rule-level failureAction (Kyverno ≥ 1.13) and the deprecated
  // spec-level one: older Kyverno prunes the former and would only audit.
  const disallowPrivileged: KyvernoPolicy = {
    apiVersion: KYVERNO_API_VERSION,
    kind: 'Policy',
    metadata: metadata('disallow-privileged'),
    spec: {
      validationFailureAction: 'Enforce',
      background: true,
      rules: [
        {
          name: 'privileged-containers',
          match: podKinds,
          validate: {
            failureAction: 'Enforce',
            message: 'Privileged containers are not allowed.',
            pattern: eachContainer({
              '=(securityContext)': { '=(privileged)': 'false' },
            }),
          },
        },
        {
          // As Kyverno's restricted profile: escalation is allowed unless
          // explicitly turned off, so `false` is required.
          name: 'privilege-escalation',
          match: podKinds,
          validate: {
            failureAction: 'Enforce',
            message:
              'Privilege escalation is not allowed: set securityContext.allowPrivilegeEscalation to false.',
            pattern: eachContainer({
              securityContext: { allowPrivilegeEscalation: 'false' },
            }),
          },
        },
      ],
    },
  };

  const requireLimits: KyvernoPolicy = {
    apiVersion: KYVERNO_API_VERSION,
    kind: 'Policy',
    metadata: metadata('require-limits'),
    spec: {
      validationFailureAction: 'Enforce',
      background: true,
      rules: [
        {
          name: 'cpu-and-memory-limits',
          match: podKinds,
          validate: {
            failureAction: 'Enforce',
            message: 'CPU and memory limits are required on every container.',
            pattern: {
              spec: {
                containers: [
                  { resources: { limits: { cpu: '?*', memory: '?*' } } },
                ],
              },
            },
          },
        },
      ],
    },
  };

  const servicePolicy: KyvernoPolicy = {
    apiVersion: KYVERNO_API_VERSION,
    kind: 'Policy',
    metadata: metadata('restrict-services'),
    spec: {
      validationFailureAction: 'Enforce',
      background: true,
      rules: [
        // A NodePort opens a port on every node, beside the NetworkPolicies.
        enforced(
          'no-node-ports',
          serviceKinds,
          'Services of type NodePort are not allowed: expose the service through an Ingress.',
          { spec: { '=(type)': '!NodePort' } },
        ),
        ...(settings.allowLoadBalancerServices
          ? []
          : [
              enforced(
                'no-load-balancers',
                serviceKinds,
                'Services of type LoadBalancer are not allowed on this portal: expose the service through an Ingress.',
                { spec: { '=(type)': '!LoadBalancer' } },
              ),
            ]),
        // externalIPs let a Service capture traffic for any address (CVE-2020-8554).
        enforced(
          'no-external-ips',
          serviceKinds,
          'Services may not set externalIPs.',
          { spec: { 'X(externalIPs)': 'null' } },
        ),
      ],
    },
  };

  const registries = settings.allowedRegistries
    .map(registry => `${registry}/*`)
    .join(' | ');
  const registryPolicy: KyvernoPolicy | undefined = registries
    ? {
        apiVersion: KYVERNO_API_VERSION,
        kind: 'Policy',
        metadata: metadata('restrict-image-registries'),
        spec: {
          validationFailureAction: 'Enforce',
          background: true,
          rules: [
            enforced(
              'allowed-registries',
              podKinds,
              `Images must come from ${settings.allowedRegistries.join(
                ', ',
              )}, named with the registry.`,
              eachContainer({ image: registries }),
            ),
          ],
        },
      }
    : undefined;

  // Pods that name no service account get no API token.
  const defaultServiceAccount: V1ServiceAccount = {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: metadata('default'),
    automountServiceAccountToken: false,
  };

  // The portal's PipelineRuns run as it; the cd pipelines deploy Helm
  // releases into the namespace, and nowhere else.
  const pipelineServiceAccount: V1ServiceAccount = {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: metadata(PIPELINE_SERVICE_ACCOUNT),
  };
  const pipelineBinding: V1RoleBinding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: metadata(`${PIPELINE_SERVICE_ACCOUNT}-edit`),
    roleRef: {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: 'edit',
    },
    subjects: [
      {
        kind: 'ServiceAccount',
        name: PIPELINE_SERVICE_ACCOUNT,
        namespace,
      },
    ],
  };

  const roleBinding: V1RoleBinding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: metadata('team-admin'),
    roleRef: {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: 'admin',
    },
    subjects: [
      {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'Group',
        name: oidcGroupName(team),
      },
    ],
  };

  return [
    ns,
    resourceQuota,
    limitRange,
    networkPolicy,
    egressPolicy,
    disallowPrivileged,
    requireLimits,
    servicePolicy,
    ...(registryPolicy ? [registryPolicy] : []),
    defaultServiceAccount,
    pipelineServiceAccount,
    pipelineBinding,
    roleBinding,
  ];
}

/**
 * Egress of a team namespace: DNS (the cluster's kube-dns or CoreDNS pods in
 * kube-system), the namespace's own pods, and the destinations in config,
 * from which the cloud metadata addresses are already cut out. Anything
 * else is denied.
 */
function egressRules(
  settings: TeamNamespaceSettings,
): V1NetworkPolicyEgressRule[] {
  const dns: V1NetworkPolicyEgressRule = {
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
  };
  const sameNamespace: V1NetworkPolicyEgressRule = {
    to: [{ podSelector: {} }],
  };
  const configured = settings.egressAllow.map(
    (destination): V1NetworkPolicyEgressRule => ({
      to: [
        {
          ipBlock: {
            cidr: destination.cidr,
            ...(destination.except ? { except: [...destination.except] } : {}),
          },
        },
      ],
      ...(destination.ports
        ? { ports: destination.ports.map(p => ({ ...p })) }
        : {}),
    }),
  );
  return [dns, sameNamespace, ...configured];
}
