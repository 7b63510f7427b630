import { InputError } from '@backstage/errors';
import type { PipelineExplanation } from '../api';
import type { PipelineFile, TriggerEvent } from '../triggerTypes';
import { decide } from '../triggers/decide';
import { parseTriggers, TRIGGER_ANNOTATION } from '../triggers/parseTriggers';
import { MatchBudget } from '../triggers/patterns';
import {
  isPipelineFilePath,
  pipelineOf,
  readPipelineFile,
} from './pipelineFile';

function byCodePoint(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/**
 * The trigger annotations of one commit's pipeline files, added up, that one
 * event parses (characters): with the per-annotation limit and the matching
 * budget, it bounds the work an event does however many files a repository
 * holds.
 */
export const TRIGGER_ANNOTATIONS_PER_EVENT = 8192;

/** What one event may still spend: annotation characters and matching steps. */
export class EventAllowance {
  readonly budget = new MatchBudget();
  private annotationChars = TRIGGER_ANNOTATIONS_PER_EVENT;

  /** Counts an annotation about to be read; throws once the share is spent. */
  readAnnotation(text: string): void {
    this.annotationChars -= text.length;
    if (this.annotationChars < 0) {
      throw new InputError(
        `${TRIGGER_ANNOTATION}: the trigger annotations of this commit's pipeline files add up to more than the ${TRIGGER_ANNOTATIONS_PER_EVENT} characters read for one event`,
      );
    }
  }
}

/** One file's explanation; never throws: a broken file gets `error`. */
export function explainPipeline(
  file: PipelineFile,
  event: TriggerEvent,
  left: EventAllowance = new EventAllowance(),
): PipelineExplanation {
  try {
    const { pipeline, triggers } = readPipelineFile(file);
    if (triggers !== undefined) left.readAnnotation(triggers);
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
      ...decide(parseTriggers(triggers), event, left.budget),
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
 * the others are unaffected. The files share one allowance (annotation
 * characters read, matching steps): the whole event's work is bounded,
 * however many files and patterns it meets.
 */
export function explainPipelines(
  files: PipelineFile[],
  event: TriggerEvent,
): PipelineExplanation[] {
  const left = new EventAllowance();
  return files
    .filter(f => isPipelineFilePath(f.path))
    .sort((a, b) => byCodePoint(a.path, b.path))
    .map(f => explainPipeline(f, event, left));
}
