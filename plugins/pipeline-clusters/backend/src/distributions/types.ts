import { KubernetesObject } from '@kubernetes/client-node';
import type { DriftRules } from '@pipeline-portal/backend-kit';
import {
  ClusterSpec,
  ProvisionedDistribution,
} from '@pipeline-portal/plugin-pipeline-clusters-common';

/** How drift detection reads one rendered object (see the backend kit). */
export type { DriftRules };

export interface RenderContext {
  /** Namespace on the management cluster holding this cluster's objects. */
  namespace: string;
  /** Name of the management-cluster Secret holding the cloud credential (see credentialObjects). */
  credentialSecretName: string;
  /**
   * Cloud coordinates that are not part of the spec but that some engines
   * require: GKE needs the project (the `project_id` of the service account
   * key), OKE the compartment (the tenancy OCID is the root compartment).
   * {@link cloudContextFromCredential} derives both from the credential.
   */
  cloud?: { gcpProject?: string; ociCompartmentId?: string };
  /**
   * Namespace the CAPA controller runs in: AWSClusterStaticIdentity reads its
   * Secret from there (default `capa-system`).
   */
  capaNamespace?: string;
}

export interface ObservedStatus {
  phase: 'Provisioning' | 'Running' | 'Updating' | 'Deleting' | 'Error';
  /** Engine condition message, esp. in Error; progress otherwise. */
  message?: string;
  /** Kubernetes minor version the control plane reports, e.g. "1.32". */
  kubernetesVersion?: string;
  nodeCount?: number;
  /** https URL when the engine reports the endpoint. */
  apiServer?: string;
}

/** Secret where the engine writes the kubeconfig. */
export interface KubeconfigLocation {
  namespace: string;
  name: string;
  key: string;
}

/**
 * The engines write a cluster's kubeconfig to `<cluster>-kubeconfig` in its
 * namespace; only the key inside the Secret differs.
 */
export const kubeconfigSecretKey =
  (key: string) =>
  (spec: ClusterSpec, ctx: RenderContext): KubeconfigLocation => ({
    namespace: ctx.namespace,
    name: `${spec.name}-kubeconfig`,
    key,
  });

export interface ClusterDistribution {
  readonly id: ProvisionedDistribution;
  readonly engine: 'cluster-api' | 'crossplane';
  /**
   * Every object that should exist for this spec, labelled
   * pipeline-portal.io/cluster=<name>, pipeline-portal.io/owner=<owner ref as
   * label-safe value>. Pure: same spec, same objects. Order: dependencies first.
   */
  render(spec: ClusterSpec, ctx: RenderContext): KubernetesObject[];
  /**
   * The objects that carry the credential for the engine: a Secret named
   * ctx.credentialSecretName in ctx.namespace (or the namespace the provider
   * requires), plus the identity/ProviderConfig object the rendered resources
   * reference.
   */
  credentialObjects(
    spec: ClusterSpec,
    ctx: RenderContext,
    value: Record<string, string>,
  ): KubernetesObject[];
  /**
   * Computes status from the current state of the rendered objects as read
   * back from the management cluster (same order as render; a missing object
   * is undefined).
   */
  readStatus(
    spec: ClusterSpec,
    observed: Array<KubernetesObject | undefined>,
  ): ObservedStatus;
  /** Where the engine writes the workload cluster's kubeconfig once ready. */
  kubeconfigLocation(spec: ClusterSpec, ctx: RenderContext): KubeconfigLocation;
  /**
   * What the engine may change in one of the rendered objects without that
   * being drift. Absent: every rendered field is the portal's.
   */
  driftRules?(spec: ClusterSpec, rendered: KubernetesObject): DriftRules;
}
