/**
 * DOKS through Crossplane's provider-digitalocean (v1alpha1): one
 * cluster-scoped DOKubernetesCluster carrying its node pools, with a
 * ProviderConfig for the credential.
 *
 * Mapping:
 * - region -> forProvider.region (a DigitalOcean slug such as fra1).
 * - version: DigitalOcean takes a minor, `1.32`, and picks the newest patch
 *   (it reports e.g. `1.32.2-do.0`); readStatus compares minors.
 * - machineType -> nodePools[].size (a droplet slug).
 * - min/max -> autoScale, minNodes, maxNodes when min < max; desired -> count.
 * - labels -> labels; taints -> taints (same effect spelling).
 * - credential: a ProviderConfig reading the API token from a Secret key `token`.
 */
import { KubernetesObject } from '@kubernetes/client-node';
import { NodePool } from '@pipeline-portal/plugin-pipeline-clusters-common';
import {
  crossplaneKubeconfigLocation,
  crossplaneMeta,
  managedName,
  ManagedResourceSpec,
  providerConfigName,
  ProviderConfigSpec,
  readManaged,
} from './crossplane';
import { portalLabels } from './labels';
import { asObject, compact, field, Manifest, secret } from './model';
import { autoscaled, decide } from './status';
import { ClusterDistribution } from './types';

const DOKS_API = 'kubernetes.do.crossplane.io/v1alpha1';
const PROVIDER_API = 'do.crossplane.io/v1alpha1';

export const doksVersion = (minor: string) => minor;

export interface DONodePool {
  name: string;
  size: string;
  count: number;
  autoScale: boolean;
  minNodes?: number;
  maxNodes?: number;
  labels?: Record<string, string>;
  taints?: Array<{ key: string; value?: string; effect: string }>;
}

export interface DOKubernetesClusterParameters {
  region: string;
  version: string;
  nodePools: DONodePool[];
  autoUpgrade: boolean;
  surgeUpgrade: boolean;
}

function doPool(pool: NodePool): DONodePool {
  const scaled = autoscaled(pool);
  return compact({
    name: pool.name,
    size: pool.machineType,
    count: pool.desiredSize,
    autoScale: scaled,
    minNodes: scaled ? pool.minSize : undefined,
    maxNodes: scaled ? pool.maxSize : undefined,
    labels: Object.keys(pool.labels).length ? { ...pool.labels } : undefined,
    taints: pool.taints.length
      ? pool.taints.map(t => compact({ ...t }))
      : undefined,
  });
}

interface ObservedPool {
  name?: string;
  count?: number;
}

export const doks: ClusterDistribution = {
  id: 'doks',
  engine: 'crossplane',

  render(spec, ctx) {
    const cluster: Manifest<
      ManagedResourceSpec<DOKubernetesClusterParameters>
    > = {
      apiVersion: DOKS_API,
      kind: 'DOKubernetesCluster',
      metadata: crossplaneMeta(spec, managedName(spec, ctx)),
      spec: {
        forProvider: {
          region: spec.region,
          version: doksVersion(spec.kubernetesVersion),
          nodePools: spec.nodePools.map(doPool),
          // The portal decides upgrades; surge keeps workloads up meanwhile.
          autoUpgrade: false,
          surgeUpgrade: true,
        },
        providerConfigRef: { name: providerConfigName(ctx) },
        deletionPolicy: 'Delete',
        writeConnectionSecretToRef: {
          name: crossplaneKubeconfigLocation(spec, ctx).name,
          namespace: ctx.namespace,
        },
      },
    };
    return [asObject(cluster)];
  },

  credentialObjects(spec, ctx, value) {
    const config: Manifest<ProviderConfigSpec> = {
      apiVersion: PROVIDER_API,
      kind: 'ProviderConfig',
      metadata: crossplaneMeta(spec, providerConfigName(ctx)),
      spec: {
        credentials: {
          source: 'Secret',
          secretRef: {
            name: ctx.credentialSecretName,
            namespace: ctx.namespace,
            key: 'token',
          },
        },
      },
    };
    return [
      secret(
        {
          name: ctx.credentialSecretName,
          namespace: ctx.namespace,
          labels: portalLabels(spec),
        },
        { token: value.token },
      ),
      asObject(config),
    ];
  },

  readStatus(spec, observed) {
    const cluster: KubernetesObject | undefined = observed[0];
    const managed = readManaged(cluster);
    const state = field<string>(
      cluster,
      'status',
      'atProvider',
      'status',
      'state',
    );
    const stateMessage = field<string>(
      cluster,
      'status',
      'atProvider',
      'status',
      'message',
    );
    const observedPools =
      field<ObservedPool[]>(cluster, 'status', 'atProvider', 'nodePools') ?? [];
    return decide(spec, {
      present: cluster ? 1 : 0,
      deleting: managed.deleting,
      failure:
        managed.failure ??
        (state === 'error' || state === 'invalid'
          ? stateMessage || `cluster is in state ${state}`
          : undefined),
      ready: managed.ready,
      version: field<string>(cluster, 'status', 'atProvider', 'version'),
      progressing:
        state === 'upgrading' || state === 'provisioning'
          ? stateMessage || `cluster is ${state}`
          : undefined,
      pools: spec.nodePools.map(pool => {
        const found = observedPools.find(p => p.name === pool.name);
        return {
          pool,
          replicas: typeof found?.count === 'number' ? found.count : undefined,
          ready: managed.ready && !!found,
        };
      }),
      apiServer: field<string>(cluster, 'status', 'atProvider', 'endpoint'),
    });
  },

  kubeconfigLocation: crossplaneKubeconfigLocation,
};
