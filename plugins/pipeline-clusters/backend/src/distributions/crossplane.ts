/**
 * Crossplane managed resources: shared builders and status reading. Managed
 * resources are cluster-scoped, so their names include the namespace.
 */
import { KubernetesObject } from '@kubernetes/client-node';
import { ClusterSpec } from '@pipeline-portal/plugin-pipeline-clusters-common';
import { portalLabels } from './labels';
import { asObject, condition, isDeleting, isFailure, Manifest } from './model';
import { clusterScopedName } from './names';
import { credentialSecret } from './parts';
import { decide, Facts } from './status';
import {
  ClusterDistribution,
  kubeconfigSecretKey,
  ObservedStatus,
  RenderContext,
} from './types';

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
export const crossplaneKubeconfigLocation = kubeconfigSecretKey('kubeconfig');

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

/**
 * A managed resource of the cluster, through the cluster's ProviderConfig,
 * deleted with it; `connectionSecret` publishes the kubeconfig.
 */
export function managedResource<ForProvider>(
  spec: ClusterSpec,
  ctx: RenderContext,
  resource: {
    apiVersion: string;
    kind: string;
    name: string;
    forProvider: ForProvider;
    connectionSecret?: boolean;
  },
): KubernetesObject {
  const managed: Manifest<ManagedResourceSpec<ForProvider>> = {
    apiVersion: resource.apiVersion,
    kind: resource.kind,
    metadata: crossplaneMeta(spec, resource.name),
    spec: {
      forProvider: resource.forProvider,
      providerConfigRef: { name: providerConfigName(ctx) },
      deletionPolicy: 'Delete',
      ...(resource.connectionSecret
        ? {
            writeConnectionSecretToRef: {
              name: crossplaneKubeconfigLocation(spec, ctx).name,
              namespace: ctx.namespace,
            },
          }
        : {}),
    },
  };
  return asObject(managed);
}

/** The credential Secret and the ProviderConfig that reads `key` of it. */
export function providerConfigObjects(
  spec: ClusterSpec,
  ctx: RenderContext,
  provider: { apiVersion: string; key: string; data: Record<string, string> },
): KubernetesObject[] {
  const config: Manifest<ProviderConfigSpec> = {
    apiVersion: provider.apiVersion,
    kind: 'ProviderConfig',
    metadata: crossplaneMeta(spec, providerConfigName(ctx)),
    spec: {
      credentials: {
        source: 'Secret',
        secretRef: {
          name: ctx.credentialSecretName,
          namespace: ctx.namespace,
          key: provider.key,
        },
      },
    },
  };
  return [credentialSecret(spec, ctx, provider.data), asObject(config)];
}

/**
 * Decides the status from the managed resources (the cluster's first) and
 * what the provider reads of its own fields; a managed resource's failure
 * comes before the provider's.
 */
export function readCrossplane(
  spec: ClusterSpec,
  observed: Array<KubernetesObject | undefined>,
  own: Omit<Facts, 'present' | 'deleting' | 'ready'>,
): ObservedStatus {
  const present = observed.filter(
    (o): o is KubernetesObject => o !== undefined,
  );
  const facts = present.map(readManaged);
  return decide(spec, {
    ...own,
    present: present.length,
    deleting: facts.some(f => f.deleting),
    failure: facts.map(f => f.failure).find(Boolean) ?? own.failure,
    ready: readManaged(observed[0]).ready,
  });
}

/** A Crossplane engine: its cluster resource, the rest, credential and status. */
export interface CrossplaneProvider<ForProvider> {
  id: ClusterDistribution['id'];
  /** The managed cluster, which publishes the kubeconfig. */
  cluster(
    spec: ClusterSpec,
    ctx: RenderContext,
  ): { apiVersion: string; kind: string; forProvider: ForProvider };
  /** Managed resources rendered after the cluster (e.g. node pools). */
  more?(spec: ClusterSpec, ctx: RenderContext): KubernetesObject[];
  credentialObjects: ClusterDistribution['credentialObjects'];
  readStatus: ClusterDistribution['readStatus'];
}

/** A distribution on Crossplane: the managed cluster first, as readCrossplane expects. */
export function crossplaneDistribution<ForProvider>(
  provider: CrossplaneProvider<ForProvider>,
): ClusterDistribution {
  return {
    id: provider.id,
    engine: 'crossplane',
    render: (spec, ctx) => [
      managedResource(spec, ctx, {
        ...provider.cluster(spec, ctx),
        name: managedName(spec, ctx),
        connectionSecret: true,
      }),
      ...(provider.more?.(spec, ctx) ?? []),
    ],
    credentialObjects: provider.credentialObjects,
    readStatus: provider.readStatus,
    kubeconfigLocation: crossplaneKubeconfigLocation,
  };
}
