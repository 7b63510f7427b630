import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { NotFoundError } from '@backstage/errors';
import {
  Cluster,
  clusterNameSchema,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { z as zod } from 'zod';
import { clusterRefInput } from './clusterFields';
import { examples } from './waitCluster.examples';
import { statusOf, toActionError, userToken } from './apiCall';
import {
  clusterNameOf,
  parseInput,
  PipelineClustersActionOptions,
} from './util';

const TARGETS = ['Running', 'Deleted'] as const;

const inputSchema = zod.object({
  name: clusterNameSchema,
  until: zod.enum(TARGETS).default('Running'),
  timeoutSeconds: zod.number().int().min(1).max(7200).default(1800),
  pollSeconds: zod.number().int().min(1).max(600).default(10),
});

/** Time, injectable so tests need not wait. */
export interface WaitClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

const realClock: WaitClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(new Error('Cancelled'));
        return;
      }
      const timer = setTimeout(resolve, ms);
      signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          reject(new Error('Cancelled'));
        },
        { once: true },
      );
    }),
};

/** Waits for a cluster's phase: `pipeline:cluster:wait`. */
export function createClusterWaitAction(
  options: PipelineClustersActionOptions & { clock?: WaitClock },
) {
  const { client, auth } = options;
  const clock = options.clock ?? realClock;
  return createTemplateAction({
    id: 'pipeline:cluster:wait',
    description:
      'Waits until a cluster is Running (or Deleted), failing with the engine message on Error or with the last phase on timeout.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        name: clusterRefInput,
        until: z =>
          z
            .enum(TARGETS)
            .default('Running')
            .optional()
            .describe('Phase to wait for: Running (default) or Deleted'),
        timeoutSeconds: z =>
          z
            .number()
            .int()
            .min(1)
            .max(7200)
            .default(1800)
            .optional()
            .describe('Give up after this many seconds (default 1800)'),
        pollSeconds: z =>
          z
            .number()
            .int()
            .min(1)
            .max(600)
            .default(10)
            .optional()
            .describe('Seconds between polls (default 10)'),
      },
      output: {
        name: z => z.string().describe('Cluster name'),
        phase: z => z.string().describe('The phase reached'),
        kubernetesVersion: z =>
          z
            .string()
            .optional()
            .describe('Version the control plane runs, when Running'),
      },
    },
    async handler(ctx) {
      const input = parseInput(inputSchema, {
        ...ctx.input,
        name: clusterNameOf(ctx.input.name),
      });
      const { name, until } = input;

      if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry run: would wait for cluster ${name} to be ${until}`,
        );
        ctx.output('name', name);
        ctx.output('phase', until);
        return;
      }

      const { token } = await userToken(auth, ctx);
      const deadline = clock.now() + input.timeoutSeconds * 1000;
      let lastPhase: string | undefined;

      for (;;) {
        let cluster: Cluster | undefined;
        let gone = false;
        try {
          cluster = await client.getCluster(name, { token });
        } catch (error) {
          const status = statusOf(error);
          if (status === 404 && until === 'Deleted') {
            gone = true;
          } else if (status === 404) {
            throw new NotFoundError(`Cluster ${name} does not exist`);
          } else if (status !== undefined && status < 500) {
            throw toActionError(error, `Reading cluster ${name} failed`);
          } else {
            // The API restarting or a network blip: keep polling until the deadline.
            ctx.logger.warn(
              `Reading cluster ${name} failed, will retry: ${
                (error as Error).message
              }`,
            );
          }
        }

        const phase = gone ? 'Deleted' : cluster?.status.phase;
        if (phase && phase !== lastPhase) {
          const message = cluster?.status.message;
          ctx.logger.info(
            `Cluster ${name} is ${phase}${message ? `: ${message}` : ''}`,
          );
          lastPhase = phase;
        }
        if (phase === until) {
          ctx.output('name', name);
          ctx.output('phase', phase);
          if (cluster?.status.kubernetesVersion) {
            ctx.output('kubernetesVersion', cluster.status.kubernetesVersion);
          }
          return;
        }
        if (phase === 'Error') {
          throw new Error(
            `Cluster ${name} failed: ${
              cluster?.status.message ?? 'the engine reported no message'
            }`,
          );
        }
        if (
          until === 'Running' &&
          (phase === 'Deleting' || phase === 'Deleted')
        ) {
          throw new Error(
            `Cluster ${name} is ${phase}; it will not become Running`,
          );
        }

        const remaining = deadline - clock.now();
        if (remaining <= 0) {
          throw new Error(
            `Timed out after ${
              input.timeoutSeconds
            }s waiting for cluster ${name} to be ${until}; last phase: ${
              lastPhase ?? 'unknown'
            }`,
          );
        }
        await clock.sleep(
          Math.min(input.pollSeconds * 1000, remaining),
          ctx.signal,
        );
      }
    },
  });
}
