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
