/**
 * Crossplane managed resources: shared builders and status reading. Managed
 * resources are cluster-scoped, so their names include the namespace.
 */
import { KubernetesObject } from '@kubernetes/client-node';
import { ClusterSpec } from '@pipeline-portal/plugin-pipeline-clusters-common';
import { portalLabels } from './labels';
import { condition, isDeleting, isFailure } from './model';
import { clusterScopedName } from './names';
import { KubeconfigLocation, RenderContext } from './types';

export interface ProviderConfigRef {
  name: string;
}

export interface SecretKeySelector {
  name: string;
  namespace: string;
  key: string;
}

/** Fields every Crossplane managed resource spec shares. */
export interface ManagedResourceSpec<ForProvider> {
  forProvider: ForProvider;
  providerConfigRef: ProviderConfigRef;
  deletionPolicy: 'Delete' | 'Orphan';
  writeConnectionSecretToRef?: { name: string; namespace: string };
}

/** ProviderConfig spec shared by both providers (credentials from a Secret). */
export interface ProviderConfigSpec {
  credentials: { source: 'Secret'; secretRef: SecretKeySelector };
}

export const managedName = (spec: ClusterSpec, ctx: RenderContext) =>
  clusterScopedName(ctx.namespace, spec.name);

export const providerConfigName = (ctx: RenderContext) =>
  clusterScopedName(ctx.namespace, ctx.credentialSecretName);

export function crossplaneMeta(spec: ClusterSpec, name: string) {
  return { name, labels: portalLabels(spec) };
}

/** Crossplane publishes connection details, the kubeconfig under `kubeconfig`. */
export function crossplaneKubeconfigLocation(
  spec: ClusterSpec,
  ctx: RenderContext,
): KubeconfigLocation {
  return {
    namespace: ctx.namespace,
    name: `${spec.name}-kubeconfig`,
    key: 'kubeconfig',
  };
}

export interface ManagedFacts {
  ready: boolean;
  deleting: boolean;
  failure?: string;
}

/**
 * Ready=True means the external resource is available. Synced=False means
 * the last reconcile failed (ReconcileError): an error with its message.
 */
export function readManaged(obj: KubernetesObject | undefined): ManagedFacts {
  const ready = condition(obj, 'Ready');
  const synced = condition(obj, 'Synced');
  let failure: string | undefined;
  if (synced?.status === 'False') failure = synced.message || synced.reason;
  else if (isFailure(ready)) failure = ready.message || ready.reason;
  return {
    ready: ready?.status === 'True',
    deleting: isDeleting(obj),
    failure,
  };
}
