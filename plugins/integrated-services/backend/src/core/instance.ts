import type {
  JsonObject,
  PlannedStep,
} from '@pipeline-portal/plugin-integrated-services-common';

export const GROUP = 'integratedservices.pipeline-portal.io';
export const API_VERSION = `${GROUP}/v1alpha1`;
export const KIND = 'ServiceInstance';
/** Namespace of ServiceInstances (and the Flux objects rendered for them) by default. */
export const DEFAULT_NAMESPACE = 'pipeline-system';

/** Marks what the portal created or adopted; anything else is managed externally. */
export const MANAGED_BY_LABEL = 'pipeline-portal.io/managed-by';
export const MANAGED_BY_PORTAL = 'pipeline-portal';
/** Which ServiceInstance an object was rendered for. */
export const INSTANCE_LABEL = `${GROUP}/instance`;
/** Held until the service's objects are removed from the cluster. */
export const UNINSTALL_FINALIZER = `${GROUP}/uninstall`;
/** Field manager of every write. */
export const FIELD_MANAGER = 'pipeline-portal-integrated-services';

export type InstancePhase =
  | 'Pending'
  | 'Installing'
  | 'Upgrading'
  | 'Ready'
  | 'Failed'
  | 'Disabled'
  | 'Deleting';

export interface InstanceSpec {
  service: string;
  /** Empty: the newest version offered. */
  version?: string;
  enabled?: boolean;
  spec?: JsonObject;
  overrides?: JsonObject;
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export interface InstancePlan {
  /** Empty for a first install. */
  from: string;
  to: string;
  path: string[];
  steps: PlannedStep[];
  currentStep: number;
  /** Whether the current step's writes were made (it is being waited on). */
  stepApplied?: boolean;
  stepStartedAt?: string;
  startedAt?: string;
}

export interface DriftRecord {
  object: string;
  kind: 'changed' | 'missing';
  fields?: string[];
  at: string;
}

export interface InstanceTarget {
  version: string;
  direction: 'install' | 'upgrade' | 'downgrade';
  path: string[];
  steps?: PlannedStep[];
}

export interface InstanceStatus {
  phase?: InstancePhase;
  installedVersion?: string;
  observedGeneration?: number;
  message?: string;
  conditions?: Condition[];
  availableTargets?: InstanceTarget[];
  unreachable?: Array<{ version: string; reason: string }>;
  plan?: InstancePlan;
  lastError?: { message: string; step?: number; at: string };
  failures?: number;
  retryAfter?: string;
  drift?: DriftRecord[];
}

export interface ServiceInstance {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    generation?: number;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    finalizers?: string[];
    deletionTimestamp?: string;
    creationTimestamp?: string;
  };
  spec: InstanceSpec;
  status?: InstanceStatus;
}

/** Whether the portal created (or adopted) the instance. */
export function isPortalManaged(instance: ServiceInstance): boolean {
  return instance.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_PORTAL;
}

/** The ServiceInstance the portal writes for a service; its name is the service's. */
export function instanceObject(
  namespace: string,
  spec: InstanceSpec,
): ServiceInstance {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: {
      name: spec.service,
      namespace,
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY_PORTAL },
      finalizers: [UNINSTALL_FINALIZER],
    },
    spec: {
      service: spec.service,
      version: spec.version ?? '',
      enabled: spec.enabled ?? true,
      spec: spec.spec ?? {},
      overrides: spec.overrides ?? {},
    },
  };
}
