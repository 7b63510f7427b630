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
import { portalLabels } from './labels';
import {
  asObject,
  compact,
  condition,
  conditionsOf,
  field,
  isDeleting,
  isFailure,
  Manifest,
} from './model';
import { dnsLabel } from './names';
import { autoscaled, decide, Facts, PoolFacts } from './status';
import {
  DriftRules,
  KubeconfigLocation,
  ObservedStatus,
  RenderContext,
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
export function capiKubeconfigLocation(
  spec: ClusterSpec,
  ctx: RenderContext,
): KubeconfigLocation {
  return {
    namespace: ctx.namespace,
    name: `${spec.name}-kubeconfig`,
    key: 'value',
  };
}

/** Renders the standard layout from the provider's objects. */
export function renderCapi(
  spec: ClusterSpec,
  ctx: RenderContext,
  parts: {
    infraCluster: KubernetesObject;
    controlPlane: KubernetesObject;
    pool(pool: NodePool): {
      infraPool: KubernetesObject;
      machinePool: Omit<MachinePoolOptions, 'infrastructureRef'>;
    };
  },
): KubernetesObject[] {
  const ref = (o: KubernetesObject): ContractRef => ({
    apiGroup: (o.apiVersion ?? '').split('/')[0],
    kind: o.kind ?? '',
    name: o.metadata?.name ?? '',
  });
  const out = [
    parts.infraCluster,
    parts.controlPlane,
    capiCluster(spec, ctx, {
      infrastructureRef: ref(parts.infraCluster),
      controlPlaneRef: ref(parts.controlPlane),
    }),
  ];
  for (const pool of spec.nodePools) {
    const { infraPool, machinePool: options } = parts.pool(pool);
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

function endpointUrl(
  endpoint: { host?: string; port?: number } | undefined,
): string | undefined {
  const host = endpoint?.host;
  if (!host) return undefined;
  if (/^https:\/\//.test(host)) return host;
  const port = endpoint?.port;
  return `https://${host}${port && port !== 443 ? `:${port}` : ''}`;
}

const CLUSTER_HEALTH = [
  'Available',
  'Ready',
  'InfrastructureReady',
  'ControlPlaneInitialized',
  'ControlPlaneAvailable',
  'WorkersAvailable',
];
const PROGRESS = ['RollingOut', 'ScalingUp', 'ScalingDown'];

/** The failure an object reports: a failure condition or failureMessage(s). */
function failureOf(
  obj: KubernetesObject | undefined,
  types?: string[],
): string | undefined {
  if (!obj) return undefined;
  const failed = conditionsOf(obj).find(
    c => (!types || types.includes(c.type)) && isFailure(c),
  );
  if (failed) return failed.message || failed.reason;
  const message = field<string>(obj, 'status', 'failureMessage');
  if (message) return message;
  const messages = field<string[]>(obj, 'status', 'failureMessages');
  if (Array.isArray(messages) && messages.length) return messages.join('; ');
  const phase = field<string>(obj, 'status', 'phase');
  if (phase === 'Failed') {
    return (
      field<string>(obj, 'status', 'deprecated', 'v1beta1', 'failureMessage') ??
      `${obj.kind} ${obj.metadata?.name} failed`
    );
  }
  return undefined;
}

function progressOf(obj: KubernetesObject | undefined): string | undefined {
  const c = PROGRESS.map(t => condition(obj, t)).find(
    x => x?.status === 'True',
  );
  if (c) return c.message || `${obj?.kind} ${c.type}`;
  const phase = field<string>(obj, 'status', 'phase');
  if (phase && /^Scaling/.test(phase)) return `${obj?.kind} ${phase}`;
  return undefined;
}

export interface CapiReadOptions {
  /** The version the provider's control plane reports. */
  controlPlaneVersion(cp: KubernetesObject): string | undefined;
}

/** Reads the standard layout (see top of file) into an ObservedStatus. */
export function readCapi(
  spec: ClusterSpec,
  observed: Array<KubernetesObject | undefined>,
  options: CapiReadOptions,
): ObservedStatus {
  const [infraCluster, controlPlane, cluster] = observed;
  const pools = spec.nodePools.map((pool, i) => ({
    pool,
    infraPool: observed[3 + 2 * i],
    machinePool: observed[4 + 2 * i],
  }));
  const present = observed.filter(Boolean);

  const failure =
    failureOf(cluster, CLUSTER_HEALTH) ??
    failureOf(controlPlane) ??
    failureOf(infraCluster) ??
    pools
      .map(p => failureOf(p.machinePool) ?? failureOf(p.infraPool))
      .find(Boolean);

  const cpReady = field<boolean>(controlPlane, 'status', 'ready') === true;
  const ready =
    !!cluster &&
    (condition(cluster, 'Available')?.status === 'True' ||
      (field<string>(cluster, 'status', 'phase') === 'Provisioned' && cpReady));

  const poolFacts: PoolFacts[] = pools.map(
    ({ pool, infraPool, machinePool: mp }) => {
      const replicas = field<number>(mp, 'status', 'replicas');
      const phase = field<string>(mp, 'status', 'phase');
      return {
        pool,
        replicas: typeof replicas === 'number' ? replicas : undefined,
        ready:
          !!mp &&
          !!infraPool &&
          (phase === 'Running' ||
            /^Scaling/.test(phase ?? '') ||
            condition(mp, 'Available')?.status === 'True' ||
            field<boolean>(infraPool, 'status', 'ready') === true),
      };
    },
  );

  const facts: Facts = {
    present: present.length,
    deleting: present.some(isDeleting),
    failure,
    ready,
    version: controlPlane
      ? options.controlPlaneVersion(controlPlane)
      : undefined,
    progressing:
      progressOf(cluster) ??
      pools.map(p => progressOf(p.machinePool)).find(Boolean),
    pools: poolFacts,
    apiServer:
      endpointUrl(field(cluster, 'spec', 'controlPlaneEndpoint')) ??
      endpointUrl(field(controlPlane, 'spec', 'controlPlaneEndpoint')) ??
      endpointUrl(field(controlPlane, 'status', 'controlPlaneEndpoint')) ??
      endpointUrl(field(controlPlane, 'spec', 'endpoint')),
  };
  return decide(spec, facts);
}
