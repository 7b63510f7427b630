/**
 * What every engine maps the same way: a node pool's labels, taints and
 * autoscaling bounds, and the Secret holding the cloud credential.
 */
import { KubernetesObject } from '@kubernetes/client-node';
import {
  ClusterSpec,
  NodePool,
  TaintEffect,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { portalLabels } from './labels';
import { compact, secret } from './model';
import { autoscaled } from './status';
import { RenderContext } from './types';

/** The pool's labels as a map; undefined when it has none. */
export function labelMap(pool: NodePool): Record<string, string> | undefined {
  return Object.keys(pool.labels).length ? { ...pool.labels } : undefined;
}

/** The pool's labels as `[{key, value}]`; undefined when it has none. */
export function labelList(
  pool: NodePool,
): Array<{ key: string; value: string }> | undefined {
  const entries = Object.entries(pool.labels);
  return entries.length
    ? entries.map(([key, value]) => ({ key, value }))
    : undefined;
}

/** The pool's taints as given (no value when none); undefined when it has none. */
export function taintList(
  pool: NodePool,
): Array<{ key: string; value?: string; effect: TaintEffect }> | undefined {
  return pool.taints.length
    ? pool.taints.map(t => compact({ ...t }))
    : undefined;
}

/**
 * The pool's taints for an API that requires a value ('' when none), in the
 * engine's spelling of the effect; undefined when it has none.
 */
export function taintsWithValue<Effect extends string = TaintEffect>(
  pool: NodePool,
  effect: (e: TaintEffect) => Effect = e => e as Effect,
): Array<{ key: string; value: string; effect: Effect }> | undefined {
  return pool.taints.length
    ? pool.taints.map(t => ({
        key: t.key,
        value: t.value ?? '',
        effect: effect(t.effect),
      }))
    : undefined;
}

/** The autoscaling bounds of an autoscaled pool (min < max), else none. */
export function scaleBounds(pool: NodePool): {
  scaled: boolean;
  min?: number;
  max?: number;
} {
  return autoscaled(pool)
    ? { scaled: true, min: pool.minSize, max: pool.maxSize }
    : { scaled: false };
}

/** The Secret of the cloud credential, in the cluster's namespace. */
export function credentialSecret(
  spec: ClusterSpec,
  ctx: RenderContext,
  data: Record<string, string>,
  extraLabels: Record<string, string> = {},
): KubernetesObject {
  return secret(
    {
      name: ctx.credentialSecretName,
      namespace: ctx.namespace,
      labels: { ...portalLabels(spec), ...extraLabels },
    },
    data,
  );
}
