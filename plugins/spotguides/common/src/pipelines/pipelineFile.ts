import { InputError } from '@backstage/errors';
import { parseDocument } from 'yaml';
import type { PipelineFile } from '../triggerTypes';
import { TRIGGER_ANNOTATION } from '../triggers/parseTriggers';
import { deepFreeze, memoizeByKey } from '../util/memo';

/** A `.tekton` file read as a Tekton v1 PipelineRun. */
export interface ParsedPipelineFile {
  /** The pipeline: the file's base name (`.tekton/build.yaml` is `build`). */
  pipeline: string;
  /** The PipelineRun as parsed, to be copied before changing. */
  run: Record<string, any>;
  /** The raw `pipeline-portal.io/on` annotation, if the file has one. */
  triggers?: string;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Whether a path is a file the portal reads as a pipeline. */
export function isPipelineFilePath(path: string): boolean {
  return /\.ya?ml$/.test(path);
}

/** The pipeline name of a path: its base name without `.yaml`/`.yml`. */
export function pipelineOf(path: string): string {
  return path.replace(/^.*\//, '').replace(/\.ya?ml$/, '');
}

const isMap = (v: unknown): v is Record<string, any> =>
  !!v && typeof v === 'object' && !Array.isArray(v);

/** The last files read, by path and content (a path holds no NUL). */
const remembered = memoizeByKey(key => {
  const at = key.indexOf('\0');
  return deepFreeze(parse(key.slice(0, at), key.slice(at + 1)));
}, 512);

/**
 * Parses and checks one file; throws an InputError saying what is wrong
 * (YAML error with its line, not a Tekton v1 PipelineRun, bad file name).
 * The result is frozen and shared by every read of the same file.
 */
export function readPipelineFile(file: PipelineFile): ParsedPipelineFile {
  return remembered(`${file.path}\0${file.content}`);
}

function parse(path: string, content: string): ParsedPipelineFile {
  const pipeline = pipelineOf(path);
  if (!DNS_LABEL.test(pipeline)) {
    throw new InputError(
      `the file name '${pipeline}' must be a DNS label (lowercase letters, ` +
        `digits and '-', at most 63): it names the pipeline`,
    );
  }
  const doc = parseDocument(content, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new InputError(`YAML error: ${doc.errors[0].message.split('\n')[0]}`);
  }
  const run = doc.toJS({ maxAliasCount: 100 });
  if (!isMap(run)) {
    throw new InputError('not a PipelineRun: the file is not a YAML mapping');
  }
  if (run.kind !== 'PipelineRun') {
    throw new InputError(
      `not a PipelineRun: kind is ${JSON.stringify(run.kind ?? null)}`,
    );
  }
  if (run.apiVersion !== 'tekton.dev/v1') {
    throw new InputError(
      `apiVersion is ${JSON.stringify(
        run.apiVersion ?? null,
      )}, expected tekton.dev/v1`,
    );
  }
  if (!isMap(run.metadata)) {
    throw new InputError('metadata is missing or not a mapping');
  }
  if (!isMap(run.spec)) {
    throw new InputError('spec is missing or not a mapping');
  }
  if (!!run.spec.pipelineRef === !!run.spec.pipelineSpec) {
    throw new InputError(
      'spec must have exactly one of pipelineRef and pipelineSpec',
    );
  }
  const annotations = run.metadata.annotations;
  if (annotations !== undefined && !isMap(annotations)) {
    throw new InputError('metadata.annotations is not a mapping');
  }
  const triggers = annotations?.[TRIGGER_ANNOTATION];
  if (triggers !== undefined && typeof triggers !== 'string') {
    throw new InputError(
      `${TRIGGER_ANNOTATION} must be a string holding YAML (use a block scalar, |)`,
    );
  }
  return { pipeline, run, triggers };
}
