import {
  KubernetesObject,
  V1LimitRange,
  V1Namespace,
  V1NetworkPolicy,
  V1ResourceQuota,
  V1RoleBinding,
} from '@kubernetes/client-node';
import { InputError } from '@backstage/errors';
import {
  createNamespaceSchema,
  describeIssues,
  TeamNamespaceSpec,
} from '@pipeline-portal/plugin-pipeline-clusters-common';

export const TEAM_LABEL = 'pipeline-portal.io/team';
export const MANAGED_BY_LABEL = 'pipeline-portal.io/managed-by';
export const MANAGED_BY = 'pipeline-portal';
/** The full owner entity ref: label values cannot hold `:` or `/`. */
export const OWNER_ANNOTATION = 'pipeline-portal.io/owner';

export const KYVERNO_API_VERSION = 'kyverno.io/v1';

/** A Kyverno `Policy` (kyverno.io/v1), namespaced: only the fields we set. */
export interface KyvernoPolicy extends KubernetesObject {
  apiVersion: typeof KYVERNO_API_VERSION;
  kind: 'Policy';
  spec: {
    validationFailureAction?: 'Audit' | 'Enforce';
    background?: boolean;
    rules: Array<{
      name: string;
      match: { any: Array<{ resources: { kinds: string[] } }> };
      validate: {
        failureAction?: 'Audit' | 'Enforce';
        message: string;
        pattern: Record<string, unknown>;
      };
    }>;
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
      labels,
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
    disallowPrivileged,
    requireLimits,
    roleBinding,
  ];
}
