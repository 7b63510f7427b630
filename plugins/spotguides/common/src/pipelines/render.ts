import { InputError } from '@backstage/errors';
import type { PipelineFile, RunContext } from '../triggerTypes';
import { TRIGGER_ANNOTATION } from '../triggers/parseTriggers';
import { pipelineRunName } from './names';
import { readPipelineFile } from './pipelineFile';

/** The `{{ name }}` placeholders a pipeline file may use. */
export const PLACEHOLDERS = [
  'repo_url',
  'repo_owner',
  'repo_name',
  'revision',
  'branch',
  'tag',
  'event',
  'pull_request',
  'environment',
] as const;

/** Labels and annotations the portal puts on the PipelineRuns it creates. */
export const RUN_LABELS = {
  managedBy: 'app.kubernetes.io/managed-by',
  pipeline: 'pipeline-portal.io/pipeline',
} as const;
export const RUN_ANNOTATIONS = {
  repository: 'pipeline-portal.io/repository',
  sha: 'pipeline-portal.io/sha',
  ref: 'pipeline-portal.io/ref',
  event: 'pipeline-portal.io/event',
  delivery: 'pipeline-portal.io/delivery',
  statusContext: 'pipeline-portal.io/status-context',
} as const;
export const MANAGED_BY = 'pipeline-portal';

/** The commit status context of a pipeline: `pipeline-portal/<pipeline>`. */
export function statusContext(pipeline: string): string {
  return `pipeline-portal/${pipeline}`;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

function placeholderValues(ctx: RunContext): Record<string, string> {
  return {
    repo_url: ctx.repoUrl,
    repo_owner: ctx.repoOwner,
    repo_name: ctx.repoName,
    revision: ctx.revision,
    branch: ctx.branch ?? '',
    tag: ctx.tag ?? '',
    event: ctx.event,
    pull_request: ctx.pullRequest === undefined ? '' : String(ctx.pullRequest),
    environment: ctx.environment ?? '',
  };
}

const pointerPart = (key: string | number) =>
  String(key).replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Replaces placeholders in every string of a parsed document (not in its raw
 * text, so a branch name can never change the YAML's structure).
 */
function substitute(
  value: unknown,
  values: Record<string, string>,
  pointer: string,
): unknown {
  if (typeof value === 'string') {
    return value.replace(PLACEHOLDER, (_whole, name: string) => {
      if (!Object.hasOwn(values, name)) {
        throw new InputError(
          `unknown placeholder {{ ${name} }} at ${pointer || '/'} ` +
            `(known: ${PLACEHOLDERS.join(', ')})`,
        );
      }
      return values[name];
    });
  }
  if (Array.isArray(value)) {
    return value.map((v, i) => substitute(v, values, `${pointer}/${i}`));
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        substitute(v, values, `${pointer}/${pointerPart(k)}`),
      ]),
    );
  }
  return value;
}

function refOf(ctx: RunContext): string | undefined {
  if (ctx.tag) return `refs/tags/${ctx.tag}`;
  if (ctx.branch) return `refs/heads/${ctx.branch}`;
  return undefined;
}

function checkContext(ctx: RunContext) {
  if (!/^[0-9a-f]{7,64}$/i.test(ctx.revision)) {
    throw new InputError(`revision '${ctx.revision}' is not a commit sha`);
  }
  if (!ctx.repoOwner || !ctx.repoName) {
    throw new InputError('the repository owner and name are required');
  }
  if (!ctx.event) throw new InputError('the event is required');
}

/**
 * The PipelineRun (Tekton v1) of one file for one event: placeholders
 * replaced, the trigger annotation, generateName and namespace dropped (the
 * engine creates it in the team's namespace), a deterministic name, and the
 * portal's labels and annotations for what the file and context tell.
 * Throws an InputError when the file is broken or uses an unknown placeholder.
 */
export function renderPipelineRun(
  file: PipelineFile,
  ctx: RunContext,
): Record<string, any> {
  checkContext(ctx);
  const { pipeline, run } = readPipelineFile(file);
  const annotations = { ...run.metadata.annotations };
  delete annotations[TRIGGER_ANNOTATION];
  const rendered = substitute(
    { ...run, metadata: { ...run.metadata, annotations } },
    placeholderValues(ctx),
    '',
  ) as Record<string, any>;
  const { generateName, name, namespace: _ns, ...metadata } = rendered.metadata;

  const repository = `${ctx.repoOwner}/${ctx.repoName}`;
  const ref = refOf(ctx);
  rendered.metadata = {
    ...metadata,
    name: pipelineRunName({
      base: String(generateName ?? name ?? pipeline),
      repository,
      pipeline,
      sha: ctx.revision,
      event: ctx.event,
      ref,
      pullRequest: ctx.pullRequest,
      deploymentId: ctx.deploymentId,
    }),
    labels: {
      ...metadata.labels,
      [RUN_LABELS.managedBy]: MANAGED_BY,
      [RUN_LABELS.pipeline]: pipeline,
    },
    annotations: {
      ...metadata.annotations,
      [RUN_ANNOTATIONS.repository]: repository,
      [RUN_ANNOTATIONS.sha]: ctx.revision,
      ...(ref ? { [RUN_ANNOTATIONS.ref]: ref } : {}),
      [RUN_ANNOTATIONS.event]: ctx.event,
      [RUN_ANNOTATIONS.statusContext]: statusContext(pipeline),
    },
  };
  return rendered;
}
