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
  crossplaneDistribution,
  providerConfigObjects,
  readCrossplane,
  readManaged,
} from './crossplane';
import { compact, field } from './model';
import { labelMap, scaleBounds, taintList } from './parts';

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
  const bounds = scaleBounds(pool);
  return compact({
    name: pool.name,
    size: pool.machineType,
    count: pool.desiredSize,
    autoScale: bounds.scaled,
    minNodes: bounds.min,
    maxNodes: bounds.max,
    labels: labelMap(pool),
    taints: taintList(pool),
  });
}

interface ObservedPool {
  name?: string;
  count?: number;
}

export const doks = crossplaneDistribution<DOKubernetesClusterParameters>({
  id: 'doks',

  cluster: spec => ({
    apiVersion: DOKS_API,
    kind: 'DOKubernetesCluster',
    forProvider: {
      region: spec.region,
      version: doksVersion(spec.kubernetesVersion),
      nodePools: spec.nodePools.map(doPool),
      // The portal decides upgrades; surge keeps workloads up meanwhile.
      autoUpgrade: false,
      surgeUpgrade: true,
    },
  }),

  credentialObjects(spec, ctx, value) {
    return providerConfigObjects(spec, ctx, {
      apiVersion: PROVIDER_API,
      key: 'token',
      data: { token: value.token },
    });
  },

  readStatus(spec, observed) {
    const cluster: KubernetesObject | undefined = observed[0];
    const managed = readManaged(cluster);
    const atProvider = <T>(...path: string[]) =>
      field<T>(cluster, 'status', 'atProvider', ...path);
    const state = atProvider<string>('status', 'state');
    const stateMessage = atProvider<string>('status', 'message');
    const observedPools = atProvider<ObservedPool[]>('nodePools') ?? [];
    return readCrossplane(spec, observed, {
      failure:
        state === 'error' || state === 'invalid'
          ? stateMessage || `cluster is in state ${state}`
          : undefined,
      version: atProvider<string>('version'),
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
      apiServer: atProvider<string>('endpoint'),
    });
  },
});
