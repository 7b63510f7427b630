import type { z as zod } from 'zod/v3';

/**
 * The JSON schema side of node pools, as the scaffolder shows and checks
 * action inputs. The full rules (label syntax, min <= desired <= max) are the
 * common package's zod schemas, applied by the handlers.
 */
export const taintInput = (z: typeof zod) =>
  z.object({
    key: z.string(),
    value: z.string().optional(),
    effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']),
  });

export const nodePoolInput = (z: typeof zod) =>
  z.object({
    name: z.string().describe('Node pool name (RFC 1123 label)'),
    machineType: z.string().describe('Instance type, e.g. m5.large'),
    minSize: z.number().int().min(0),
    maxSize: z.number().int().min(1),
    desiredSize: z.number().int().min(0).optional(),
    labels: z.record(z.string()).optional(),
    taints: z.array(taintInput(z)).optional(),
  });

/** A change to an existing pool: the fields given replace the pool's own. */
export const nodePoolChangeInput = (z: typeof zod) =>
  z.object({
    name: z.string().describe('Name of the existing node pool'),
    minSize: z.number().int().min(0).optional(),
    maxSize: z.number().int().min(1).optional(),
    desiredSize: z.number().int().min(0).optional(),
    labels: z
      .record(z.string())
      .optional()
      .describe("Replaces the pool's node labels"),
    taints: z
      .array(taintInput(z))
      .optional()
      .describe("Replaces the pool's taints"),
  });
