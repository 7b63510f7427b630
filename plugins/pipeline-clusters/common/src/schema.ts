import { z } from 'zod';
import {
  DISTRIBUTIONS,
  PROVISIONED_DISTRIBUTIONS,
  ProvisionedDistribution,
  TAINT_RULES,
} from './distributions';
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

/** Longest DNS subdomain prefix of a qualified name (Kubernetes' IsQualifiedName). */
export const MAX_KEY_PREFIX = 253;
/** Longest name part of a qualified name, and longest label value. */
export const MAX_KEY_NAME = 63;
/** Longest label or taint key: prefix, `/`, name. */
export const MAX_LABEL_KEY = MAX_KEY_PREFIX + 1 + MAX_KEY_NAME;
export const MAX_LABEL_VALUE = 63;

// Single character classes, anchored, no nesting: linear on any input.
const DNS_CHARS = /^[a-z0-9-]+$/;
const NAME_CHARS = /^[A-Za-z0-9_.-]+$/;
const ALNUM_LOWER = /^[a-z0-9]$/;
const ALNUM = /^[A-Za-z0-9]$/;

const endsWith = (value: string, char: RegExp) =>
  char.test(value.charAt(0)) && char.test(value.charAt(value.length - 1));

const NAME_RULE = `1-${MAX_KEY_NAME} letters, digits, '-', '_' or '.', starting and ending with a letter or digit`;

/**
 * Why `value` is not a label value (at most 63 letters, digits, '-', '_' or
 * '.', starting and ending with a letter or digit; empty allowed), else
 * undefined. Lengths are checked before any pattern runs.
 */
export function labelValueProblem(value: string): string | undefined {
  if (value.length > MAX_LABEL_VALUE) {
    return `must be at most ${MAX_LABEL_VALUE} characters`;
  }
  if (value === '') return undefined;
  return NAME_CHARS.test(value) && endsWith(value, ALNUM)
    ? undefined
    : "must consist of letters, digits, '-', '_' or '.', starting and ending with a letter or digit";
}

/**
 * Why `key` is not a Kubernetes qualified name (a label or taint key), else
 * undefined: an optional DNS subdomain prefix of at most 253 characters
 * (lower-case RFC 1123 labels joined by '.') and '/', then a name of 1-63
 * letters, digits, '-', '_' or '.', starting and ending with a letter or
 * digit. Split on '/' and '.', each piece tested with a flat pattern, lengths
 * first: no pattern backtracks, whatever the input.
 */
export function qualifiedNameProblem(key: string): string | undefined {
  if (key.length === 0) return 'must not be empty';
  if (key.length > MAX_LABEL_KEY) {
    return `must be at most ${MAX_LABEL_KEY} characters (a prefix of at most ${MAX_KEY_PREFIX}, '/', a name of at most ${MAX_KEY_NAME})`;
  }
  const slash = key.indexOf('/');
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (slash >= 0) {
    const prefix = key.slice(0, slash);
    if (name.includes('/')) return "must contain at most one '/'";
    if (prefix.length === 0) return "must not start with '/'";
    if (prefix.length > MAX_KEY_PREFIX) {
      return `prefix (before '/') must be at most ${MAX_KEY_PREFIX} characters`;
    }
    const dnsLabels = prefix.split('.');
    if (
      !dnsLabels.every(
        part =>
          part.length > 0 &&
          DNS_CHARS.test(part) &&
          endsWith(part, ALNUM_LOWER),
      )
    ) {
      return "prefix (before '/') must be a DNS subdomain: lower-case RFC 1123 labels (letters, digits and '-', starting and ending with a letter or digit) joined by '.'";
    }
  }
  if (name.length === 0) return "name (after '/') must not be empty";
  if (name.length > MAX_KEY_NAME) {
    return `name${
      slash >= 0 ? " (after '/')" : ''
    } must be at most ${MAX_KEY_NAME} characters`;
  }
  return NAME_CHARS.test(name) && endsWith(name, ALNUM)
    ? undefined
    : `name${slash >= 0 ? " (after '/')" : ''} must be ${NAME_RULE}`;
}

const checked = (problemOf: (value: string) => string | undefined) =>
  z.string().superRefine((value, ctx) => {
    const problem = problemOf(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** A label or taint key: a Kubernetes qualified name. */
export const labelKeySchema = checked(qualifiedNameProblem);
/** A label or taint value: at most 63 characters, possibly empty. */
export const labelValueSchema = checked(labelValueProblem);

/**
 * A node pool's labels. Keys are checked here rather than as the record's
 * key schema, so that the issue names the key and says what is wrong.
 */
const labelsSchema = z
  .record(z.string(), labelValueSchema)
  .superRefine((labels, ctx) => {
    for (const key of Object.keys(labels)) {
      const problem = qualifiedNameProblem(key);
      if (problem) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `key ${problem}`,
          // The form shows it at the key's field rather than the value's.
          params: { part: 'key' },
        });
      }
    }
  });

export const taintSchema = z.strictObject({
  key: labelKeySchema,
  value: labelValueSchema.optional(),
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
    labels: labelsSchema.default({}),
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

/** A problem with a request, at a path inside it. */
export interface FieldIssue {
  path: Array<string | number>;
  message: string;
}

/**
 * What a distribution's engine would refuse in node pools that passed
 * `nodePoolSchema`: its taint rule (TAINT_RULES). Paths start at
 * `nodePools`, e.g. `['nodePools', 0, 'taints', 1, 'value']`.
 */
export function nodePoolIssuesFor(
  distribution: ProvisionedDistribution,
  nodePools: ReadonlyArray<{
    taints?: ReadonlyArray<{ key: string; value?: string; effect: string }>;
  }>,
): FieldIssue[] {
  const rule = TAINT_RULES[distribution];
  if (!rule) return [];
  const issues: FieldIssue[] = [];
  nodePools.forEach((pool, p) =>
    (pool.taints ?? []).forEach((taint, t) => {
      const at = ['nodePools', p, 'taints', t];
      if (rule.nonEmptyValue && taint.value === '') {
        issues.push({
          path: [...at, 'value'],
          message: `must not be empty on ${distribution} (${rule.field} refuses an empty value): leave it out for a taint without a value`,
        });
      }
      if (!(rule.effects as readonly string[]).includes(taint.effect)) {
        issues.push({
          path: [...at, 'effect'],
          message: `must be one of ${rule.effects.join(
            ', ',
          )} on ${distribution}`,
        });
      }
    }),
  );
  return issues;
}

/**
 * The body of a create request. Whether the version is offered and the
 * credential exists are checked by the service, which knows config and store.
 */
export const clusterSpecSchema = z
  .strictObject({
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
  })
  .superRefine((spec, ctx) => {
    for (const issue of nodePoolIssuesFor(
      spec.distribution as ProvisionedDistribution,
      spec.nodePools,
    )) {
      ctx.addIssue({ code: 'custom', ...issue });
    }
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

/** Longest path segment quoted in a message: keys come from the request. */
const MAX_SEGMENT = 80;

/**
 * A field path as messages name it: `nodePools[0].taints[1].value`, a key
 * that is not a plain word quoted, `labels["example.com/tier"]`.
 */
export function describePath(path: ReadonlyArray<PropertyKey>): string {
  return path
    .map((part, i) => {
      if (typeof part === 'number') return `[${part}]`;
      const text = String(part);
      if (
        /^[A-Za-z_][A-Za-z0-9_-]*$/.test(text) &&
        text.length <= MAX_SEGMENT
      ) {
        return `${i ? '.' : ''}${text}`;
      }
      const shown =
        text.length > MAX_SEGMENT ? `${text.slice(0, MAX_SEGMENT)}…` : text;
      return `[${JSON.stringify(shown)}]`;
    })
    .join('');
}

/**
 * Turns a zod error into one message naming each field at fault, e.g.
 * `nodePools[0].minSize: minSize (3) is greater than maxSize (2)`.
 */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .flatMap(issue =>
      // A record key's own issues say what is wrong with it.
      issue.code === 'invalid_key'
        ? issue.issues.map(inner => ({ ...inner, path: issue.path }))
        : [issue],
    )
    .map(issue => {
      const path = describePath(issue.path);
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
