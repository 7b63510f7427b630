import type { PipelineExplanation } from '../api';
import type { PipelineFile, TriggerEvent } from '../triggerTypes';
import { decide } from '../triggers/decide';
import { parseTriggers, TRIGGER_ANNOTATION } from '../triggers/parseTriggers';
import {
  isPipelineFilePath,
  pipelineOf,
  readPipelineFile,
} from './pipelineFile';

function byCodePoint(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** One file's explanation; never throws: a broken file gets `error`. */
export function explainPipeline(
  file: PipelineFile,
  event: TriggerEvent,
): PipelineExplanation {
  try {
    const { pipeline, triggers } = readPipelineFile(file);
    if (triggers === undefined) {
      return {
        file: file.path,
        pipeline,
        wouldRun: false,
        rule: `no ${TRIGGER_ANNOTATION} annotation`,
      };
    }
    return {
      file: file.path,
      pipeline,
      ...decide(parseTriggers(triggers), event),
    };
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    return {
      file: file.path,
      pipeline: pipelineOf(file.path),
      wouldRun: false,
      rule: 'the file is broken',
      error,
    };
  }
}

/**
 * One explanation per `.yaml`/`.yml` file (others, such as a README, are not
 * pipelines), in path order. A broken file gets wouldRun false and `error`;
 * the others are unaffected.
 */
export function explainPipelines(
  files: PipelineFile[],
  event: TriggerEvent,
): PipelineExplanation[] {
  return files
    .filter(f => isPipelineFilePath(f.path))
    .sort((a, b) => byCodePoint(a.path, b.path))
    .map(f => explainPipeline(f, event));
}
