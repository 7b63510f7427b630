import type { TaintEffect } from './types';

/** Where a cluster comes from: a managed offering of a cloud, or imported. */
export const DISTRIBUTIONS = [
  'eks',
  'aks',
  'gke',
  'oke',
  'ack',
  'doks',
  'import',
] as const;

export type Distribution = (typeof DISTRIBUTIONS)[number];

/** Distributions the portal provisions (all but `import`). */
export type ProvisionedDistribution = Exclude<Distribution, 'import'>;

export const PROVISIONED_DISTRIBUTIONS = DISTRIBUTIONS.filter(
  (d): d is ProvisionedDistribution => d !== 'import',
);

/** The kind of cloud credential each provisioned distribution needs. */
export const CREDENTIAL_KIND_OF: Record<
  ProvisionedDistribution,
  CloudCredentialKind
> = {
  eks: 'aws',
  aks: 'azure',
  gke: 'google',
  oke: 'oracle',
  ack: 'alibaba',
  doks: 'digitalocean',
};

export const CLOUD_CREDENTIAL_KINDS = [
  'aws',
  'azure',
  'google',
  'alibaba',
  'oracle',
  'digitalocean',
] as const;

export type CloudCredentialKind = (typeof CLOUD_CREDENTIAL_KINDS)[number];

/** Every kind of secret the SecretStore holds. */
export type SecretKind = CloudCredentialKind | 'kubeconfig';

/**
 * Kubernetes minor versions offered per distribution when config does not say
 * otherwise (`pipelinePortal.clusters.versions.<distribution>`).
 */
export const DEFAULT_OFFERED_VERSIONS: Record<
  ProvisionedDistribution,
  readonly string[]
> = {
  eks: ['1.31', '1.32', '1.33'],
  aks: ['1.31', '1.32', '1.33'],
  gke: ['1.31', '1.32', '1.33'],
  oke: ['1.31', '1.32', '1.33'],
  ack: ['1.31', '1.32', '1.33'],
  doks: ['1.31', '1.32', '1.33'],
};

/**
 * What the engine of a distribution accepts in a node pool's taints, beyond
 * what every distribution requires (a qualified key, a label value, one of
 * the three effects): read from the CRD each distribution writes its taints
 * to (`shared/crds`), so that the API refuses at once what the management
 * cluster would refuse later, leaving the cluster in Error.
 */
export interface TaintRule {
  /** The CRD and field the taints are written to, for messages. */
  readonly field: string;
  /** The effects the field accepts, in the portal's spelling. */
  readonly effects: readonly TaintEffect[];
  /** A value, when given, must not be empty (`minLength: 1`). */
  readonly nonEmptyValue: boolean;
}

const ALL_EFFECTS: readonly TaintEffect[] = [
  'NoSchedule',
  'PreferNoSchedule',
  'NoExecute',
];

/**
 * Each distribution's taint rule. Where a CRD requires `value` (CAPA, CAPG,
 * CAPZ) the portal writes `''` for a taint without one; where it refuses an
 * empty value (Cluster API's MachinePool, which carries OKE's taints) a
 * given value must not be empty.
 */
export const TAINT_RULES: Record<ProvisionedDistribution, TaintRule> = {
  eks: {
    // CAPA spells the effects no-schedule, prefer-no-schedule, no-execute.
    field: 'AWSManagedMachinePool spec.taints (Cluster API Provider AWS)',
    effects: ALL_EFFECTS,
    nonEmptyValue: false,
  },
  aks: {
    field:
      'ManagedClustersAgentPool spec.nodeTaints (Cluster API Provider Azure, ASO)',
    effects: ALL_EFFECTS,
    nonEmptyValue: false,
  },
  gke: {
    field:
      'GCPManagedMachinePool spec.kubernetesTaints (Cluster API Provider GCP)',
    effects: ALL_EFFECTS,
    nonEmptyValue: false,
  },
  oke: {
    // OKE node pools have no taints: Cluster API's MachinePool carries them.
    field: "MachinePool spec.template.spec.taints (Cluster API), OKE's taints",
    effects: ALL_EFFECTS,
    nonEmptyValue: true,
  },
  ack: {
    field:
      'KubernetesNodePool spec.forProvider.taints (Crossplane Alibaba Cloud)',
    effects: ALL_EFFECTS,
    nonEmptyValue: false,
  },
  doks: {
    field:
      'DOKubernetesCluster spec.forProvider.nodePools[].taints (Crossplane DigitalOcean)',
    effects: ALL_EFFECTS,
    nonEmptyValue: false,
  },
};
