/**
 * Cluster API core (cluster.x-k8s.io/v1beta2) objects shared by the managed
 * providers, and the reading of their status.
 *
 * Every Cluster API distribution renders, in this order:
 *   [infrastructure cluster, control plane, Cluster, then per node pool:
 *    provider machine pool, MachinePool]
 * so readStatus can find each object by position.
 */
import { KubernetesObject } from '@kubernetes/client-node';
import {
  ClusterSpec,
  NodePool,
  TaintEffect,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { readCapi } from './clusterApiStatus';
import { portalLabels } from './labels';
import { asObject, compact, field, Manifest } from './model';
import { dnsLabel } from './names';
import { autoscaled } from './status';
import {
  ClusterDistribution,
  DriftRules,
  RenderContext,
  kubeconfigSecretKey,
} from './types';

export const CAPI_API_VERSION = 'cluster.x-k8s.io/v1beta2';
export const INFRA_GROUP = 'infrastructure.cluster.x-k8s.io';
export const CONTROLPLANE_GROUP = 'controlplane.cluster.x-k8s.io';
export const AUTOSCALER_MIN_ANNOTATION =
  'cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size';
export const AUTOSCALER_MAX_ANNOTATION =
  'cluster.x-k8s.io/cluster-api-autoscaler-node-group-max-size';

/** v1beta2 contract reference: group and kind, never apiVersion or namespace. */
export interface ContractRef {
  apiGroup: string;
  kind: string;
  name: string;
}

export interface CapiClusterSpec {
  infrastructureRef: ContractRef;
  controlPlaneRef: ContractRef;
}

/** Core MachineTaint: a corev1 taint plus how Cluster API propagates it. */
export interface MachineTaint {
  key: string;
  value?: string;
  effect: TaintEffect;
  propagation: 'Always' | 'OnInitialization';
}

export interface MachinePoolSpec {
  clusterName: string;
  replicas: number;
  template: {
    spec: {
      clusterName: string;
      version?: string;
      /** Managed pools bootstrap themselves: an empty data secret name. */
      bootstrap: { dataSecretName: string };
      infrastructureRef: ContractRef;
      taints?: MachineTaint[];
    };
  };
}

export const infrastructureClusterName = (spec: ClusterSpec) => spec.name;
export const controlPlaneName = (spec: ClusterSpec) =>
  dnsLabel([spec.name, 'control-plane']);
export const machinePoolName = (spec: ClusterSpec, pool: NodePool) =>
  dnsLabel([spec.name, pool.name]);

export function meta(
  spec: ClusterSpec,
  ctx: RenderContext,
  name: string,
  annotations?: Record<string, string>,
) {
  return compact({
    name,
    namespace: ctx.namespace,
    labels: {
      ...portalLabels(spec),
      // Lets clusterctl move and the Cluster API controllers find the objects.
      'cluster.x-k8s.io/cluster-name': spec.name,
    },
    annotations,
  });
}

export function capiCluster(
  spec: ClusterSpec,
  ctx: RenderContext,
  refs: CapiClusterSpec,
): KubernetesObject {
  const cluster: Manifest<CapiClusterSpec> = {
    apiVersion: CAPI_API_VERSION,
    kind: 'Cluster',
    metadata: meta(spec, ctx, spec.name),
    spec: refs,
  };
  return asObject(cluster);
}

export interface MachinePoolOptions {
  infrastructureRef: ContractRef;
  /** Version in the provider's spelling; omitted when the provider owns it. */
  version?: string;
  /**
   * Whether the cluster-autoscaler (clusterapi provider) scales this pool:
   * adds its min/max annotations. Off where the cloud's own autoscaler does.
   */
  autoscalerAnnotations: boolean;
  /** Taints core Cluster API applies, for providers without a taint field. */
  taints?: MachineTaint[];
  annotations?: Record<string, string>;
}

/**
 * Cluster API's MachinePool webhook accepts only a full semantic version
 * with a `v` (`version.KubeSemver`: `v1.32.0`, `v1.32.1-aliyun.1`); a minor
 * gets patch 0. The managed providers read the minor from it for the cloud's
 * node pools.
 */
export function machinePoolVersion(version: string): string {
  const v = version.startsWith('v') ? version : `v${version}`;
  return /^v\d+\.\d+$/.test(v) ? `${v}.0` : v;
}

export function machinePool(
  spec: ClusterSpec,
  ctx: RenderContext,
  pool: NodePool,
  options: MachinePoolOptions,
): KubernetesObject {
  const annotations: Record<string, string> = { ...options.annotations };
  if (options.autoscalerAnnotations && autoscaled(pool)) {
    annotations[AUTOSCALER_MIN_ANNOTATION] = String(pool.minSize);
    annotations[AUTOSCALER_MAX_ANNOTATION] = String(pool.maxSize);
  }
  const mp: Manifest<MachinePoolSpec> = {
    apiVersion: CAPI_API_VERSION,
    kind: 'MachinePool',
    metadata: meta(
      spec,
      ctx,
      machinePoolName(spec, pool),
      Object.keys(annotations).length ? annotations : undefined,
    ),
    spec: {
      clusterName: spec.name,
      replicas: pool.desiredSize,
      template: {
        spec: compact({
          clusterName: spec.name,
          version: options.version && machinePoolVersion(options.version),
          bootstrap: { dataSecretName: '' },
          infrastructureRef: options.infrastructureRef,
          taints: options.taints?.length ? options.taints : undefined,
        }),
      },
    },
  };
  return asObject(mp);
}

/**
 * What Cluster API changes in a rendered MachinePool:
 * - replicas of an autoscaled pool (min < max) belong to the autoscaler: the
 *   cluster-autoscaler's clusterapi provider where the MachinePool carries its
 *   min/max annotations (EKS, OKE), or the infrastructure provider copying
 *   the cloud autoscaler's count (CAPZ marks such pools
 *   `cluster.x-k8s.io/replicas-managed-by`);
 * - the version: the MachinePool webhook prepends `v` where it is missing;
 * - taints are a list keyed by key and effect: taints added by others stay.
 * Every other object is the portal's alone.
 */
export function capiDriftRules(
  spec: ClusterSpec,
  rendered: KubernetesObject,
): DriftRules {
  if (
    rendered.apiVersion !== CAPI_API_VERSION ||
    rendered.kind !== 'MachinePool'
  )
    return {};
  const pool = spec.nodePools.find(
    p => machinePoolName(spec, p) === rendered.metadata?.name,
  );
  return {
    engineOwned: pool && autoscaled(pool) ? [['spec', 'replicas']] : [],
    keyedLists: [
      { path: ['spec', 'template', 'spec', 'taints'], keys: ['key', 'effect'] },
    ],
    normalized: [
      {
        path: ['spec', 'template', 'spec', 'version'],
        normalize: v => (typeof v === 'string' ? v.replace(/^v/, '') : v),
      },
    ],
  };
}

/** Cluster API writes `<cluster>-kubeconfig` with the kubeconfig under `value`. */
export const capiKubeconfigLocation = kubeconfigSecretKey('value');

/** A provider object of the standard layout: its name and metadata are the layout's. */
export interface CapiPart<Spec = unknown> {
  apiVersion: string;
  kind: string;
  spec: Spec;
}

/** What a provider renders of the standard layout. */
export interface CapiParts {
  infraCluster: CapiPart;
  controlPlane: CapiPart;
  pool(pool: NodePool): {
    infraPool: CapiPart;
    machinePool: Omit<MachinePoolOptions, 'infrastructureRef'>;
  };
}

/** Renders the standard layout from the provider's objects. */
export function renderCapi(
  spec: ClusterSpec,
  ctx: RenderContext,
  parts: CapiParts,
): KubernetesObject[] {
  const object = (part: CapiPart, name: string): KubernetesObject =>
    asObject({
      apiVersion: part.apiVersion,
      kind: part.kind,
      metadata: meta(spec, ctx, name),
      spec: part.spec,
    });
  const ref = (o: KubernetesObject): ContractRef => ({
    apiGroup: (o.apiVersion ?? '').split('/')[0],
    kind: o.kind ?? '',
    name: o.metadata?.name ?? '',
  });
  const infraCluster = object(
    parts.infraCluster,
    infrastructureClusterName(spec),
  );
  const controlPlane = object(parts.controlPlane, controlPlaneName(spec));
  const out = [
    infraCluster,
    controlPlane,
    capiCluster(spec, ctx, {
      infrastructureRef: ref(infraCluster),
      controlPlaneRef: ref(controlPlane),
    }),
  ];
  for (const pool of spec.nodePools) {
    const { infraPool: part, machinePool: options } = parts.pool(pool);
    const infraPool = object(part, machinePoolName(spec, pool));
    out.push(
      infraPool,
      machinePool(spec, ctx, pool, {
        ...options,
        infrastructureRef: ref(infraPool),
      }),
    );
  }
  return out;
}

/** What a Cluster API provider defines; the layout supplies the rest. */
export interface CapiProvider {
  id: ClusterDistribution['id'];
  render(spec: ClusterSpec, ctx: RenderContext): CapiParts;
  credentialObjects: ClusterDistribution['credentialObjects'];
  /**
   * The version the provider's control plane reports.
   * @default status.version
   */
  controlPlaneVersion?(cp: KubernetesObject): string | undefined;
}

/** A distribution on Cluster API's managed layout. */
export function capiDistribution(provider: CapiProvider): ClusterDistribution {
  const controlPlaneVersion =
    provider.controlPlaneVersion ??
    ((cp: KubernetesObject) => field<string>(cp, 'status', 'version'));
  return {
    id: provider.id,
    engine: 'cluster-api',
    render: (spec, ctx) => renderCapi(spec, ctx, provider.render(spec, ctx)),
    credentialObjects: provider.credentialObjects,
    readStatus: (spec, observed) =>
      readCapi(spec, observed, { controlPlaneVersion }),
    kubeconfigLocation: capiKubeconfigLocation,
    driftRules: capiDriftRules,
  };
}
