/**
 * The integrated-services REST API's bodies, as the backend serves them and
 * the frontend and scaffolder actions read them (see the backend's
 * openapi.yaml).
 */
import type {
  JsonObject,
  PlannedStep,
  PlannedTarget,
  UnreachableTarget,
} from './types';

/** A service offered, as listed. */
export interface ServiceSummary {
  name: string;
  title?: string;
  description?: string;
  category: string;
  owner: string;
  /** Newest first. */
  versions: string[];
  /** What an empty version installs. */
  newestVersion: string;
}

export interface ServiceList {
  items: ServiceSummary[];
}

/** GET /services/{name}/plan?from= */
export interface ServicePlan {
  service: string;
  from: string;
  targets: PlannedTarget[];
  unreachable: UnreachableTarget[];
}

export type InstancePhase =
  | 'Pending'
  | 'Installing'
  | 'Upgrading'
  | 'Ready'
  | 'Failed'
  | 'Disabled'
  | 'Deleting';

export interface InstanceCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
}

export interface InstanceDrift {
  /** Kind and name, e.g. `HelmRelease monitoring`. */
  object: string;
  kind: 'changed' | 'missing';
  /** Paths of the fields put back, e.g. `spec.values.replicaCount`. */
  fields?: string[];
  at: string;
}

export interface InstanceTarget {
  version: string;
  direction: 'install' | 'upgrade' | 'downgrade';
  path: string[];
  steps?: PlannedStep[];
}

export interface InstancePlan {
  from: string;
  to: string;
  path: string[];
  steps: PlannedStep[];
  currentStep: number;
}

/** A ServiceInstance on a cluster: what is asked (the cluster holds it) and where it stands. */
export interface ServiceInstanceView {
  cluster: string;
  service: string;
  /**
   * `portal` when the portal created or adopted it; `external` when someone
   * else did (kubectl, GitOps): shown, never changed unless adopted.
   */
  managedBy: 'portal' | 'external';
  desired: {
    /** Empty: the newest version offered. */
    version: string;
    enabled: boolean;
    spec: JsonObject;
    overrides: JsonObject;
  };
  status: {
    phase: InstancePhase;
    installedVersion?: string;
    message?: string;
    /** False while the reconciler has not seen the latest change yet. */
    upToDate: boolean;
    conditions: InstanceCondition[];
    availableTargets: InstanceTarget[];
    unreachable: UnreachableTarget[];
    plan?: InstancePlan;
    lastError?: { message: string; step?: number; at: string };
    retryAfter?: string;
    drift: InstanceDrift[];
  };
  createdAt?: string;
}

/** A cluster that could not be read while listing. */
export interface ClusterProblem {
  cluster: string;
  message: string;
}

export interface InstanceList {
  items: ServiceInstanceView[];
  /** Clusters the list covers. */
  clusters: number;
  problems: ClusterProblem[];
  /** Set when there is nothing to list from, e.g. no cluster is configured. */
  message?: string;
}

export interface ListInstancesRequest {
  service?: string;
  version?: string;
  phase?: InstancePhase;
  /** Only instances with (true) or without (false) recorded drift. */
  drift?: boolean;
}

/** PUT /clusters/{cluster}/instances/{service}: activate or update. */
export interface ActivateRequest {
  /** Empty or absent: the newest version offered. */
  version?: string;
  spec: JsonObject;
  overrides?: JsonObject;
  /** @default true */
  enabled?: boolean;
  /** Take over an instance someone else created. */
  adopt?: boolean;
}

export interface ValuesChange {
  /** JSON pointer into the chart values. */
  path: string;
  op: 'add' | 'remove' | 'replace';
  from?: unknown;
  to?: unknown;
}

/** POST .../preview: what a PUT would do, without writing anything. */
export interface PreviewResult {
  cluster: string;
  service: string;
  version: string;
  /** The ServiceInstance that would be written. */
  instance: JsonObject;
  /** The Flux objects and Secrets the reconciler would write (Secret values left out). */
  objects: JsonObject[];
  values: JsonObject;
  /** Chart values against what is installed (all added on a first install). */
  valuesDiff: ValuesChange[];
  plan: {
    from?: string;
    to: string;
    direction: 'install' | 'upgrade' | 'downgrade' | 'none';
    path: string[];
    steps: PlannedStep[];
  };
}
