/**
 * Reading the status of the Cluster API layout (see clusterApi.ts): by
 * position, the infrastructure cluster, control plane, Cluster, then per node
 * pool the provider machine pool and the MachinePool.
 */
import { KubernetesObject } from '@kubernetes/client-node';
import { ClusterSpec } from '@pipeline-portal/plugin-pipeline-clusters-common';
import { condition, conditionsOf, field, isDeleting, isFailure } from './model';
import { decide, Facts, PoolFacts } from './status';
import { ObservedStatus } from './types';

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
