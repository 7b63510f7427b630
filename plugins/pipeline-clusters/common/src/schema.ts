import { z } from 'zod';
import { DISTRIBUTIONS, PROVISIONED_DISTRIBUTIONS } from './distributions';
import { CLUSTER_PHASES } from './types';

/** RFC 1123 label: lower-case alphanumerics and '-', alphanumeric at both ends. */
const RFC1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export const rfc1123Label = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(
      RFC1123_LABEL,
      'must be an RFC 1123 label: lower-case letters, digits and "-", starting and ending with a letter or digit',
    );

/** Names the UI routes use beside cluster names (`/clusters/credentials`). */
const RESERVED_CLUSTER_NAMES = ['credentials', 'import', 'new'];

/** Cluster names leave room for the suffixes engines add (`-kubeconfig`, `-pool-x`). */
export const clusterNameSchema = rfc1123Label(40).refine(
  name => !RESERVED_CLUSTER_NAMES.includes(name),
  'is reserved: the portal uses it for a page of its own',
);

/**
 * An owner group: `group:default/payments`, `group:payments` or `payments`,
 * normalized to the full entity ref.
 */
export const ownerSchema = z
  .string()
  .regex(
    /^(group:)?([a-z0-9][-a-z0-9_.]*\/)?[a-z0-9][-a-z0-9_.]*$/i,
    'must be a group entity ref such as group:default/payments',
  )
  .transform(value => {
    const bare = value.replace(/^group:/i, '');
    const ref = bare.includes('/') ? bare : `default/${bare}`;
    return `group:${ref}`.toLowerCase();
  });

const labelKey = z
  .string()
  .regex(
    /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/,
    'must be a Kubernetes label key',
  );
const labelValue = z
  .string()
  .regex(
    /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/,
    'must be a Kubernetes label value',
  );

export const taintSchema = z.strictObject({
  key: labelKey,
  value: labelValue.optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']),
});

const size = z.number().int().min(0).max(1000);

export const nodePoolSchema = z
  .strictObject({
    name: rfc1123Label(30),
    machineType: z.string().trim().min(1).max(100),
    minSize: size,
    maxSize: size.min(1),
    desiredSize: size.optional(),
    labels: z.record(labelKey, labelValue).default({}),
    taints: z.array(taintSchema).max(20).default([]),
  })
  .superRefine((pool, ctx) => {
    if (pool.minSize > pool.maxSize) {
      ctx.addIssue({
        code: 'custom',
        path: ['minSize'],
        message: `minSize (${pool.minSize}) is greater than maxSize (${pool.maxSize})`,
      });
    }
    const desired = pool.desiredSize ?? pool.minSize;
    if (desired < pool.minSize || desired > pool.maxSize) {
      ctx.addIssue({
        code: 'custom',
        path: ['desiredSize'],
        message: `desiredSize (${desired}) must be between minSize (${pool.minSize}) and maxSize (${pool.maxSize})`,
      });
    }
    // A node refuses two taints with the same key and effect.
    const taints = new Set<string>();
    pool.taints.forEach((taint, index) => {
      const id = `${taint.key}:${taint.effect}`;
      if (taints.has(id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['taints', index],
          message: `duplicate taint ${taint.key} with effect ${taint.effect}`,
        });
      }
      taints.add(id);
    });
  })
  .transform(pool => ({
    ...pool,
    desiredSize: pool.desiredSize ?? pool.minSize,
  }));

const nodePoolsSchema = z
  .array(nodePoolSchema)
  .min(1)
  .max(20)
  .superRefine((pools, ctx) => {
    const seen = new Set<string>();
    pools.forEach((pool, index) => {
      if (seen.has(pool.name)) {
        ctx.addIssue({
          code: 'custom',
          path: [index, 'name'],
          message: `duplicate node pool name "${pool.name}"`,
        });
      }
      seen.add(pool.name);
    });
  });

/**
 * The body of a create request. Whether the version is offered and the
 * credential exists are checked by the service, which knows config and store.
 */
export const clusterSpecSchema = z.strictObject({
  name: clusterNameSchema,
  owner: ownerSchema,
  distribution: z.enum(PROVISIONED_DISTRIBUTIONS as [string, ...string[]], {
    error: `must be one of ${PROVISIONED_DISTRIBUTIONS.join(
      ', ',
    )} (use the import route for an existing cluster)`,
  }),
  region: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .regex(
      /^[a-z0-9][-a-z0-9_.]*$/i,
      'must be a region name such as eu-west-1',
    ),
  kubernetesVersion: z
    .string()
    .regex(/^v?\d+\.\d+$/, 'must be a minor version such as 1.32')
    .transform(v => v.replace(/^v/, '')),
  nodePools: nodePoolsSchema,
  credential: rfc1123Label(63),
});

export const importClusterSchema = z.strictObject({
  name: clusterNameSchema,
  owner: ownerSchema,
  /** The kubeconfig, YAML or JSON; untrusted until the service accepts it. */
  kubeconfig: z
    .string()
    .min(1)
    .max(256 * 1024),
});

export const scaleNodePoolSchema = z.strictObject({
  minSize: size.optional(),
  maxSize: size.min(1).optional(),
  desiredSize: size.optional(),
});

/** PATCH /clusters/:name: one change at a time, with the revision it applies to. */
export const patchClusterSchema = z.strictObject({
  revision: z.number().int().min(0),
  kubernetesVersion: z
    .string()
    .regex(/^v?\d+\.\d+$/, 'must be a minor version such as 1.32')
    .transform(v => v.replace(/^v/, ''))
    .optional(),
  nodePools: nodePoolsSchema.optional(),
});

export const listClustersQuerySchema = z.strictObject({
  owner: ownerSchema.optional(),
  distribution: z
    .enum(DISTRIBUTIONS as unknown as [string, ...string[]])
    .optional(),
  phase: z.enum(CLUSTER_PHASES).optional(),
  search: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
});

export type ImportClusterRequest = z.infer<typeof importClusterSchema>;
export type PatchClusterRequest = z.infer<typeof patchClusterSchema>;
export type ListClustersQuery = z.infer<typeof listClustersQuerySchema>;

/**
 * Turns a zod error into one message naming each field at fault, e.g.
 * `nodePools[0].minSize: minSize (3) is greater than maxSize (2)`.
 */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map(issue => {
      const path = issue.path
        .map((part, i) =>
          typeof part === 'number'
            ? `[${part}]`
            : `${i ? '.' : ''}${String(part)}`,
        )
        .join('');
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

const quantity = z
  .string()
  .regex(
    /^\d+(\.\d+)?(m|k|Ki|M|Mi|G|Gi|T|Ti)?$/,
    'must be a Kubernetes quantity such as 500m or 2Gi',
  );

/** POST /clusters/:name/namespaces: a team's namespace as a service. */
export const createNamespaceSchema = z.strictObject({
  namespace: rfc1123Label(63),
  team: ownerSchema,
  quota: z
    .strictObject({
      cpu: quantity.default('4'),
      memory: quantity.default('8Gi'),
      pods: z.number().int().min(1).max(10000).default(50),
    })
    .default({ cpu: '4', memory: '8Gi', pods: 50 }),
  limits: z
    .strictObject({
      defaultCpu: quantity.default('500m'),
      defaultMemory: quantity.default('512Mi'),
      defaultRequestCpu: quantity.default('100m'),
      defaultRequestMemory: quantity.default('128Mi'),
    })
    .default({
      defaultCpu: '500m',
      defaultMemory: '512Mi',
      defaultRequestCpu: '100m',
      defaultRequestMemory: '128Mi',
    }),
});

export type CreateNamespaceRequest = z.input<typeof createNamespaceSchema>;
export type TeamNamespaceSpec = z.output<typeof createNamespaceSchema>;
