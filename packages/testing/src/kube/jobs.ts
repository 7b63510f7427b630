/**
 * Plays the Job controller inside the Kubernetes API double: a `batch/v1`
 * Job completes (status.succeeded, condition Complete) after a delay, or
 * fails (condition Failed) while a fault matching its name is set.
 */
import type { KubeApi } from './kubeApi';
import { KubeApiError } from './status';
import { KubeObject } from './types';

export interface JobsDouble {
  /** Jobs whose name matches fail until the returned function is called. */
  failJobs(name: string | RegExp, message?: string): () => void;
  stop(): void;
}

/** Starts playing the Job controller; Jobs finish `completeAfterMs` after creation (default 5). */
export function playJobs(
  api: KubeApi,
  options: { completeAfterMs?: number } = {},
): JobsDouble {
  const faults = new Set<{ name: string | RegExp; message: string }>();
  const stop = api.react(
    {
      group: 'batch',
      kind: 'Job',
      on: 'create',
      delayMs: options.completeAfterMs ?? 5,
    },
    obj => {
      const job = obj as KubeObject & { status?: any };
      const name = job.metadata?.name ?? '';
      const fault = [...faults].find(f =>
        typeof f.name === 'string' ? f.name === name : f.name.test(name),
      );
      const at = new Date().toISOString();
      const status = fault
        ? {
            startTime: at,
            failed: 1,
            conditions: [
              {
                type: 'Failed',
                status: 'True',
                reason: 'BackoffLimitExceeded',
                message: fault.message,
                lastProbeTime: at,
                lastTransitionTime: at,
              },
            ],
          }
        : {
            startTime: at,
            completionTime: at,
            succeeded: 1,
            conditions: [
              {
                type: 'Complete',
                status: 'True',
                lastProbeTime: at,
                lastTransitionTime: at,
              },
            ],
          };
      try {
        api.patchStatus(job, status);
      } catch (err) {
        if (!(err instanceof KubeApiError && err.code === 404)) throw err;
      }
    },
  );
  return {
    failJobs(name, message = 'Job has reached the specified backoff limit') {
      const rule = { name, message };
      faults.add(rule);
      return () => faults.delete(rule);
    },
    stop,
  };
}
