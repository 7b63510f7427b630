/**
 * Plays Tekton's PipelineRun controller inside the Kubernetes API double: a
 * created `tekton.dev/v1` PipelineRun goes Running (condition Succeeded
 * Unknown, `startTime`, the `tekton.dev/pipeline` label), then Succeeded or
 * Failed (condition Succeeded True/False, `completionTime`). Tests can fail
 * the runs that match, hold them Running until released, and cancel a run by
 * setting `spec.status: Cancelled`, as with the real controller.
 * Status fields are those the real CRD accepts.
 */
import type { KubeApi } from './kubeApi';
import { KubeApiError } from './status';
import { KubeObject } from './types';

/** The Tekton CRDs, relative to the shared CRD directory. */
export const TEKTON_CRDS = [
  'tekton.dev/pipelineruns.yaml',
  'tekton.dev/pipelines.yaml',
  'tekton.dev/taskruns.yaml',
  'tekton.dev/tasks.yaml',
];

/** Which runs a rule applies to; every field given must match. */
export interface TektonRunMatch {
  name?: string | RegExp;
  namespace?: string;
  /** Every label given must have this value. */
  labels?: Record<string, string>;
}

export interface PlayTektonOptions {
  /** Delay from creation to Running. Default 5 ms. */
  startAfterMs?: number;
  /** Delay from Running to the outcome. Default 5 ms. */
  finishAfterMs?: number;
}

/** A running play of Tekton's controller; stop it before closing the double. */
export interface TektonDouble {
  /** Runs matching end Failed (with `message`) until the returned function is called. */
  failRuns(match: TektonRunMatch, message?: string): () => void;
  /** Runs matching stay Running until the returned function is called; then they finish. */
  holdRuns(match: TektonRunMatch): () => void;
  /** Names (`namespace/name`) of the runs started, in order. */
  readonly started: readonly string[];
  stop(): void;
}

type Run = KubeObject & { spec?: any; status?: any };
type Outcome = { succeeded: boolean; reason: string; message: string };

const now = () => new Date().toISOString();
const keyOf = (run: Run) =>
  `${run.metadata?.namespace ?? ''}/${run.metadata?.name ?? ''}`;
const CANCELLED = ['Cancelled', 'CancelledRunFinally', 'StoppedRunFinally'];

function matches(rule: TektonRunMatch, run: Run): boolean {
  const name = run.metadata?.name ?? '';
  const labels = run.metadata?.labels ?? {};
  return (
    (rule.name === undefined ||
      (typeof rule.name === 'string'
        ? rule.name === name
        : rule.name.test(name))) &&
    (rule.namespace === undefined ||
      rule.namespace === run.metadata?.namespace) &&
    Object.entries(rule.labels ?? {}).every(([k, v]) => labels[k] === v)
  );
}

/** Tasks of the run's embedded pipeline, for the condition messages. */
function taskCount(run: Run): number {
  const tasks = run.spec?.pipelineSpec?.tasks;
  return Array.isArray(tasks) ? tasks.length : 1;
}

/** Starts playing Tekton's PipelineRun controller on the double. */
export function playTekton(
  api: KubeApi,
  options: PlayTektonOptions = {},
): TektonDouble {
  const startAfterMs = options.startAfterMs ?? 5;
  const finishAfterMs = options.finishAfterMs ?? 5;
  const failures = new Set<{ match: TektonRunMatch; message: string }>();
  const holds = new Set<TektonRunMatch>();
  /** Runs Running whose finish is due but held: key -> run as last seen. */
  const waiting = new Map<string, Run>();
  const timers = new Set<NodeJS.Timeout>();
  const started: string[] = [];
  let stopped = false;

  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!stopped) fn();
    }, ms);
    timers.add(timer);
  };

  /** Writes status unless the run is gone or already done; false if it is. */
  const write = (run: Run, status: Record<string, unknown>): boolean => {
    const current = api.get(run) as Run | undefined;
    const done = current?.status?.conditions?.some(
      (c: any) => c.type === 'Succeeded' && c.status !== 'Unknown',
    );
    if (!current || done) return false;
    try {
      api.patchStatus(run, status);
      return true;
    } catch (err) {
      if (err instanceof KubeApiError && err.code === 404) return false;
      throw err;
    }
  };

  const finish = (run: Run, outcome: Outcome) => {
    const tasks = taskCount(run);
    const failed = outcome.succeeded ? 0 : 1;
    write(run, {
      completionTime: now(),
      conditions: [
        {
          type: 'Succeeded',
          status: outcome.succeeded ? 'True' : 'False',
          reason: outcome.reason,
          message:
            outcome.message ||
            `Tasks Completed: ${tasks} (Failed: ${failed}, Cancelled 0), Skipped: 0`,
          lastTransitionTime: now(),
        },
      ],
    });
  };

  const outcomeOf = (run: Run): Outcome => {
    const failure = [...failures].find(f => matches(f.match, run));
    return failure
      ? { succeeded: false, reason: 'Failed', message: failure.message }
      : { succeeded: true, reason: 'Succeeded', message: '' };
  };

  const due = (run: Run) => {
    if ([...holds].some(h => matches(h, run))) waiting.set(keyOf(run), run);
    else finish(run, outcomeOf(run));
  };

  const start = (run: Run) => {
    const pipeline =
      run.spec?.pipelineRef?.name ?? run.metadata?.name ?? 'pipeline';
    try {
      api.patch(run, {
        metadata: { labels: { 'tekton.dev/pipeline': pipeline } },
      });
    } catch (err) {
      if (err instanceof KubeApiError && err.code === 404) return;
      throw err;
    }
    const running = write(run, {
      startTime: now(),
      observedGeneration: run.metadata?.generation,
      conditions: [
        {
          type: 'Succeeded',
          status: 'Unknown',
          reason: 'Running',
          message: `Tasks Completed: 0 (Failed: 0, Cancelled 0), Incomplete: ${taskCount(
            run,
          )}, Skipped: 0`,
          lastTransitionTime: now(),
        },
      ],
    });
    if (!running) return;
    started.push(keyOf(run));
    later(finishAfterMs, () => due(run));
  };

  const stopCreate = api.react(
    {
      group: 'tekton.dev',
      kind: 'PipelineRun',
      on: 'create',
      delayMs: startAfterMs,
    },
    obj => {
      if (!stopped) start(obj as Run);
    },
  );
  const stopCancel = api.react(
    {
      group: 'tekton.dev',
      kind: 'PipelineRun',
      on: 'update',
      filter: obj => CANCELLED.includes((obj as Run).spec?.status),
    },
    obj => {
      waiting.delete(keyOf(obj as Run));
      finish(obj as Run, {
        succeeded: false,
        reason: 'Cancelled',
        message: `PipelineRun "${obj.metadata?.name}" was cancelled`,
      });
    },
  );

  return {
    failRuns(
      match,
      message = 'Tasks Completed: 1 (Failed: 1, Cancelled 0), Skipped: 0',
    ) {
      const rule = { match, message };
      failures.add(rule);
      return () => failures.delete(rule);
    },
    holdRuns(match) {
      holds.add(match);
      return () => {
        holds.delete(match);
        for (const [key, run] of [...waiting]) {
          if ([...holds].some(h => matches(h, run))) continue;
          waiting.delete(key);
          finish(run, outcomeOf(run));
        }
      };
    },
    started,
    stop() {
      stopped = true;
      stopCreate();
      stopCancel();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
