import type { Entity } from '@backstage/catalog-model';
import type { JsonObject, JsonValue } from '@backstage/types';

export type { JsonObject, JsonValue };

export const INTEGRATED_SERVICE_API_VERSION = 'pipeline-portal.io/v1alpha1';
export const INTEGRATED_SERVICE_KIND = 'IntegratedService';

/** A JSON Schema document, as authored in a definition. */
export type JsonSchema = JsonObject;

/** Where a version's chart comes from. */
export type ChartRef = {
  /** `https://` Helm repository URL, or `oci://` registry path for OCI charts. */
  repository: string;
  name: string;
  /** A chart version that exists in the repository (exact, no range). */
  version: string;
  /** @default 'helm' */
  type?: 'helm' | 'oci';
};

/**
 * How part of the spec becomes chart values. A rule with `from` and `to` copies one
 * spec field; a rule with `values` deep-merges a values fragment in which strings of
 * the form `${/spec/pointer}` are replaced by spec fields. `when` (and `equals`)
 * make a rule conditional on a spec field.
 */
export type ValuesMappingRule = {
  /** JSON pointer into the spec. */
  from?: string;
  /** JSON pointer into the chart values. */
  to?: string;
  /** Only when the spec field at this pointer is set (and not `false`). */
  when?: string;
  /** With `when`: only when the field equals this value. */
  equals?: JsonValue;
  /** A values fragment to merge. */
  values?: JsonObject;
  /** Append arrays of `values` to arrays already rendered instead of replacing them. */
  appendArrays?: boolean;
};

/**
 * A spec field that names a stored credential. The backend copies the credential's
 * value to the cluster as a Kubernetes Secret named `secretName` in the service's
 * namespace; values refer to the Secret by that name, never to the secret itself.
 */
export type SecretBinding = {
  /** JSON pointer into the spec of the field holding the credential name. */
  field: string;
  /** Name of the Kubernetes Secret written to the cluster. */
  secretName: string;
  /** Keys the credential must have; each becomes a key of the Secret. */
  keys: string[];
};

export type ServiceVersion = {
  /** Semantic version of the service (not necessarily the chart's). */
  version: string;
  /** Release notes or what changed, shown to users choosing a target. */
  description?: string;
  deprecated?: boolean;
  chart: ChartRef;
  /** Default chart values of this version. */
  values: JsonObject;
  /** JSON Schema of the user-facing spec. */
  specSchema: JsonSchema;
  valuesMapping: ValuesMappingRule[];
  secrets?: SecretBinding[];
};

/** A Kubernetes object a step acts on. */
export type ResourceSelector = {
  apiVersion: string;
  kind: string;
  /** Defaults to the service's namespace for namespaced kinds. */
  namespace?: string;
  name?: string;
  /** Label selector (`app=cert-manager,component in (a,b)`); with or instead of `name`. */
  labelSelector?: string;
};

export type Step =
  | { type: 'chartUpgrade'; description?: string }
  | {
      type: 'deleteResources';
      description?: string;
      resources: ResourceSelector[];
    }
  | {
      type: 'patchResource';
      description?: string;
      resource: ResourceSelector & { name: string };
      patchType: 'merge' | 'json' | 'strategic';
      /** A merge/strategic patch object, or a JSON Patch array. */
      patch: JsonObject | JsonObject[];
    }
  | {
      type: 'runJob';
      description?: string;
      job: {
        name: string;
        image: string;
        command?: string[];
        args?: string[];
        serviceAccountName?: string;
        env?: Array<{ name: string; value: string }>;
      };
      timeoutSeconds: number;
    };

export type StepType = Step['type'];

/** An upgrader or downgrader: the steps that move an installation between versions. */
export type VersionEdge = {
  from: string;
  to: string;
  steps: Step[];
};

export type IntegratedServiceSpec = {
  owner: string;
  /** monitoring, logging, dns, secrets, security, ingress, certificates, backup, policy, ... */
  category: string;
  /** Namespace the chart is installed into. @default metadata.name */
  namespace?: string;
  /** Helm release name. @default metadata.name */
  releaseName?: string;
  versions: ServiceVersion[];
  upgraders: VersionEdge[];
  downgraders: VersionEdge[];
};

export interface IntegratedServiceEntity extends Entity {
  apiVersion: typeof INTEGRATED_SERVICE_API_VERSION;
  kind: typeof INTEGRATED_SERVICE_KIND;
  spec: IntegratedServiceSpec;
}

/** A step of a plan, with the edge it belongs to. */
export type PlannedStep = Step & { from: string; to: string };

export type PlannedTarget = {
  version: string;
  /** `none` only from planPath with from === to. */
  direction: 'upgrade' | 'downgrade' | 'none';
  /** [from, ..., to] */
  path: string[];
  steps: PlannedStep[];
};

export type UnreachableTarget = {
  version: string;
  reason: string;
};

export type TargetPlan = {
  targets: PlannedTarget[];
  unreachable: UnreachableTarget[];
};

/** One problem found in a document, at a JSON pointer ('' is the document itself). */
export type ValidationIssue = {
  pointer: string;
  message: string;
};

export type ValidationResult =
  | { valid: true; issues: [] }
  | { valid: false; issues: ValidationIssue[] };
