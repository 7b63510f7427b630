import { ConflictError, InputError } from '@backstage/errors';
import {
  ClusterSpec,
  describeIssues,
  NodePool,
  nodePoolSchema,
  rfc1123Label,
  taintSchema,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { z } from 'zod';

const size = z.number().int().min(0).max(1000);

/** A change to an existing pool: only the fields given change. */
const poolChangeSchema = z
  .strictObject({
    name: rfc1123Label(30),
    minSize: size.optional(),
    maxSize: size.optional(),
    desiredSize: size.optional(),
    /** Replaces the pool's labels. */
    labels: z.record(z.string(), z.string()).optional(),
    /** Replaces the pool's taints. */
    taints: z.array(taintSchema).optional(),
  })
  .refine(
    change => Object.keys(change).length > 1,
    'names no field to change: give minSize, maxSize, desiredSize, labels or taints',
  );

/**
 * What `pipeline:cluster:update` is asked to do. Every part is stated as the
 * wanted end state, so applying it again changes nothing.
 */
export const clusterChangeSchema = z
  .strictObject({
    kubernetesVersion: z
      .string()
      .regex(/^v?\d+\.\d+$/, 'must be a minor version such as 1.32')
      .transform(v => v.replace(/^v/, ''))
      .optional(),
    nodePools: z
      .strictObject({
        change: z.array(poolChangeSchema).max(20).optional(),
        // Validated against the pool schema once defaults are known.
        add: z.array(z.record(z.string(), z.unknown())).max(20).optional(),
        remove: z.array(rfc1123Label(30)).max(20).optional(),
      })
      .optional(),
  })
  .superRefine((input, ctx) => {
    const pools = input.nodePools ?? {};
    if (
      input.kubernetesVersion === undefined &&
      !pools.change?.length &&
      !pools.add?.length &&
      !pools.remove?.length
    ) {
      ctx.addIssue({
        code: 'custom',
        message:
          'nothing to change: give kubernetesVersion, or nodePools with change, add or remove',
      });
    }
    // Each pool named once across change, add and remove.
    const seen = new Map<string, string>();
    const named: Array<[string, unknown[]]> = [
      ['change', (pools.change ?? []).map(p => p.name)],
      ['add', (pools.add ?? []).map(p => p.name)],
      ['remove', pools.remove ?? []],
    ];
    for (const [list, names] of named) {
      names.forEach((name, index) => {
        if (typeof name !== 'string') return;
        const first = seen.get(name);
        if (first) {
          ctx.addIssue({
            code: 'custom',
            path: ['nodePools', list, index],
            message: `node pool "${name}" is already named in nodePools.${first}; name each pool once`,
          });
        } else {
          seen.set(name, list);
        }
      });
    }
  });

export type ClusterChange = z.output<typeof clusterChangeSchema>;

/** What to send in the PATCH: only the parts that differ from the spec. */
export interface ClusterPatch {
  kubernetesVersion?: string;
  nodePools?: NodePool[];
}

/** Key order, absent and undefined fields and prototypes aside: the same JSON. */
function sameJson(a: unknown, b: unknown): boolean {
  const canonical = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(canonical);
    if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      return Object.keys(record)
        .filter(key => record[key] !== undefined)
        .sort()
        .map(key => [key, canonical(record[key])]);
    }
    return value;
  };
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function compareMinor(a: string, b: string): number {
  const [aMajor, aMinor] = a.split('.').map(Number);
  const [bMajor, bMinor] = b.split('.').map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}

/** Validates one resulting pool, naming the input field at fault. */
function checkedPool(value: unknown, path: Array<string | number>): NodePool {
  const parsed = nodePoolSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(issue => ({
      ...issue,
      path: [...path, ...issue.path],
    }));
    throw new InputError(describeIssues(new z.ZodError(issues)));
  }
  return parsed.data;
}

/**
 * Applies a change to a cluster's spec. Returns the parts that differ, or
 * undefined when the spec already is what the change asks for (a retried
 * step, or someone else made the same change).
 */
export function planClusterPatch(
  spec: ClusterSpec,
  change: ClusterChange,
): ClusterPatch | undefined {
  const patch: ClusterPatch = {};

  const version = change.kubernetesVersion;
  if (version !== undefined && version !== spec.kubernetesVersion) {
    if (compareMinor(version, spec.kubernetesVersion) < 0) {
      throw new InputError(
        `kubernetesVersion: cluster ${spec.name} already runs ${spec.kubernetesVersion}; ${version} would be a downgrade, which Kubernetes control planes do not support`,
      );
    }
    patch.kubernetesVersion = version;
  }

  const {
    change: changes = [],
    add = [],
    remove = [],
  } = change.nodePools ?? {};
  const existing = spec.nodePools.map(p => p.name).join(', ');
  // Removing a pool that is not there is what was asked for.
  let pools = spec.nodePools.filter(pool => !remove.includes(pool.name));

  changes.forEach((poolChange, index) => {
    const at = pools.findIndex(p => p.name === poolChange.name);
    if (at < 0) {
      throw new InputError(
        `nodePools.change[${index}].name: cluster ${spec.name} has no node pool "${poolChange.name}" (it has ${existing})`,
      );
    }
    const { name: _name, ...fields } = poolChange;
    const changed = checkedPool({ ...pools[at], ...fields }, [
      'nodePools',
      'change',
      index,
    ]);
    pools = pools.map((pool, i) => (i === at ? changed : pool));
  });

  add.forEach((value, index) => {
    const pool = checkedPool(value, ['nodePools', 'add', index]);
    const present = pools.find(p => p.name === pool.name);
    if (!present) {
      pools = [...pools, pool];
    } else if (!sameJson(present, pool)) {
      throw new ConflictError(
        `nodePools.add[${index}]: cluster ${spec.name} already has a node pool "${pool.name}" that differs; use nodePools.change to change it`,
      );
    }
  });

  if (pools.length === 0) {
    throw new InputError(
      `nodePools.remove: would remove every node pool of cluster ${spec.name}; a cluster needs at least one`,
    );
  }
  if (!sameJson(pools, spec.nodePools)) patch.nodePools = pools;

  return Object.keys(patch).length ? patch : undefined;
}

/** One line for the task log, e.g. `kubernetesVersion 1.32 -> 1.33; pools general changed`. */
export function describePatch(spec: ClusterSpec, patch: ClusterPatch): string {
  const parts: string[] = [];
  if (patch.kubernetesVersion) {
    parts.push(
      `kubernetesVersion ${spec.kubernetesVersion} -> ${patch.kubernetesVersion}`,
    );
  }
  if (patch.nodePools) {
    const before = new Map(spec.nodePools.map(p => [p.name, p]));
    const after = new Map(patch.nodePools.map(p => [p.name, p]));
    const names = (
      pick: (name: string) => boolean,
      from: Map<string, NodePool>,
    ) => [...from.keys()].filter(pick).join(', ');
    const added = names(n => !before.has(n), after);
    const removed = names(n => !after.has(n), before);
    const changed = names(
      n => before.has(n) && !sameJson(before.get(n), after.get(n)),
      after,
    );
    if (changed) parts.push(`node pools changed: ${changed}`);
    if (added) parts.push(`added: ${added}`);
    if (removed) parts.push(`removed: ${removed}`);
  }
  return parts.join('; ');
}
