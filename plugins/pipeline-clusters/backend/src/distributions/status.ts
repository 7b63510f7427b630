import {
  ClusterSpec,
  NodePool,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { ObservedStatus } from './types';

/** "v1.32.1", "1.32.1-do.0", "1.32" -> "1.32". */
export function minorVersion(version: string | undefined): string | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(version ?? '');
  return m ? `${m[1]}.${m[2]}` : undefined;
}

/** Whether a pool is autoscaled: then any size within bounds is settled. */
export const autoscaled = (pool: NodePool) => pool.minSize < pool.maxSize;

/** What an engine reports for one node pool. */
export interface PoolFacts {
  pool: NodePool;
  /** Nodes the engine reports; undefined while unknown. */
  replicas?: number;
  /** The pool's objects exist and the engine reports them provisioned. */
  ready: boolean;
}

/** The engine-neutral reading of a cluster's objects. */
export interface Facts {
  /** How many of the rendered objects exist. */
  present: number;
  deleting: boolean;
  /** The engine's message when it reports a failure. */
  failure?: string;
  /** The control plane is provisioned. */
  ready: boolean;
  /** Control plane version as the engine reports it. */
  version?: string;
  /** The engine says a rollout or scaling is in progress. */
  progressing?: string;
  pools: PoolFacts[];
  apiServer?: string;
}

function poolSettled(p: PoolFacts): boolean {
  if (!p.ready || p.replicas === undefined) return false;
  return autoscaled(p.pool)
    ? p.replicas >= p.pool.minSize && p.replicas <= p.pool.maxSize
    : p.replicas === p.pool.desiredSize;
}

/** Turns facts into a phase, the same way for every engine. */
export function decide(spec: ClusterSpec, facts: Facts): ObservedStatus {
  const version = minorVersion(facts.version);
  const counts = facts.pools
    .map(p => p.replicas)
    .filter((n): n is number => n !== undefined);
  const base: Omit<ObservedStatus, 'phase'> = {
    kubernetesVersion: version,
    nodeCount: counts.length ? counts.reduce((a, b) => a + b, 0) : undefined,
    apiServer: facts.apiServer,
  };
  const status = (
    phase: ObservedStatus['phase'],
    message?: string,
  ): ObservedStatus => {
    const out: ObservedStatus = { phase, ...base };
    if (message) out.message = message;
    for (const key of Object.keys(out) as Array<keyof ObservedStatus>)
      if (out[key] === undefined) delete out[key];
    return out;
  };

  if (facts.present === 0) {
    return status(
      'Provisioning',
      'waiting for the engine objects to be created',
    );
  }
  if (facts.deleting) return status('Deleting', 'deleting cluster');
  if (facts.failure) return status('Error', facts.failure);
  if (!facts.ready) return status('Provisioning', 'provisioning control plane');

  if (version && version !== spec.kubernetesVersion) {
    return status(
      'Updating',
      `upgrading Kubernetes from ${version} to ${spec.kubernetesVersion}`,
    );
  }
  if (facts.pools.length && facts.pools.every(p => !p.ready)) {
    return status('Provisioning', 'provisioning node pools');
  }
  const unsettled = facts.pools.find(p => !poolSettled(p));
  if (unsettled) {
    const { pool, replicas } = unsettled;
    const target = autoscaled(pool)
      ? `${pool.minSize}-${pool.maxSize}`
      : `${pool.desiredSize}`;
    return status(
      'Updating',
      replicas === undefined || !unsettled.ready
        ? `provisioning node pool ${pool.name}`
        : `scaling node pool ${pool.name} from ${replicas} to ${target}`,
    );
  }
  if (facts.progressing) return status('Updating', facts.progressing);
  return status('Running');
}
