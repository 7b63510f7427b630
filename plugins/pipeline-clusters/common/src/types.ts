import { Distribution, SecretKind } from './distributions';

export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';

export interface Taint {
  key: string;
  value?: string;
  effect: TaintEffect;
}

export interface NodePool {
  /** RFC 1123 label, unique within the cluster. */
  name: string;
  /** The cloud's machine or instance type, e.g. `m5.large`, `Standard_D2s_v3`. */
  machineType: string;
  minSize: number;
  maxSize: number;
  /** Between minSize and maxSize. */
  desiredSize: number;
  labels: Record<string, string>;
  taints: Taint[];
}

/** What a user asks for when creating a cluster: validated by `clusterSpecSchema`. */
export interface ClusterSpec {
  /** RFC 1123 label, unique in the portal. */
  name: string;
  /** Entity ref of the owning group, e.g. `group:default/payments`. */
  owner: string;
  distribution: Exclude<Distribution, 'import'>;
  region: string;
  /** Kubernetes minor version, e.g. `1.32`. */
  kubernetesVersion: string;
  nodePools: NodePool[];
  /** Name of the owner's cloud credential in the SecretStore. */
  credential: string;
}

/** Every phase of a cluster, in lifecycle order. */
export const CLUSTER_PHASES = [
  'Pending',
  'Provisioning',
  'Running',
  'Updating',
  'Deleting',
  'Deleted',
  'Error',
] as const;

export type ClusterPhase = (typeof CLUSTER_PHASES)[number];

export interface ClusterStatus {
  phase: ClusterPhase;
  /** Why: the engine's condition message in Error, progress otherwise. */
  message?: string;
  /** The version the control plane runs, once known. */
  kubernetesVersion?: string;
  nodeCount?: number;
  /** The API server URL, once known. */
  apiServer?: string;
}

/** A cluster as the REST API returns it. No secret ever appears here. */
export interface Cluster {
  name: string;
  owner: string;
  distribution: Distribution;
  /** Absent for imported clusters. */
  spec?: ClusterSpec;
  status: ClusterStatus;
  /** Increases with every change; send it back to update (optimistic concurrency). */
  revision: number;
  createdAt: string;
  updatedAt: string;
}

export interface ClusterHistoryEntry {
  phase: ClusterPhase;
  message?: string;
  at: string;
}

/** A credential as listed: never its value. */
export interface CredentialSummary {
  name: string;
  owner: string;
  kind: SecretKind;
  createdAt: string;
}

/**
 * A team namespace the portal created on a cluster, as listed: what its
 * labels and annotations say.
 */
export interface TeamNamespaceSummary {
  name: string;
  /** The owner group's entity ref, e.g. `group:default/payments`. */
  owner?: string;
  /** The team label value: the owner's OIDC group name. */
  team?: string;
  /** `Active`, or `Terminating` while the cluster deletes it. */
  phase?: string;
  createdAt?: string;
}

export interface ClusterList {
  items: Cluster[];
  totalCount: number;
  /** Pass as `cursor` for the next page; absent on the last one. */
  nextCursor?: string;
}

/**
 * How to reach a cluster's API server: served to other backend plugins only
 * (the Kubernetes cluster supplier), never to a browser.
 */
export interface ClusterAccess {
  name: string;
  apiServer: string;
  caData?: string;
  token?: string;
  clientCertificateData?: string;
  clientKeyData?: string;
}

/** What this portal offers: GET /settings. */
export interface ClustersSettings {
  /** False when no management cluster is configured: imports only. */
  provisioning: { available: boolean; message?: string };
  /** Kubernetes minor versions offered per provisioned distribution. */
  offeredVersions: Record<string, string[]>;
}
