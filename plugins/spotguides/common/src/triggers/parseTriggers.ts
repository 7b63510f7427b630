import { InputError } from '@backstage/errors';
import { parse as parseYaml } from 'yaml';
import { memoizeByKey } from '../util/memo';
import { FilterPatternError, PatternList } from './patterns';

/** The annotation that holds a pipeline's triggers, in GitHub Actions `on:` syntax. */
export const TRIGGER_ANNOTATION = 'pipeline-portal.io/on';

/**
 * Longest trigger annotation parsed (characters): a real one is a few lines;
 * a longer one costs the event loop a millisecond per kilobyte to read.
 */
export const TRIGGER_ANNOTATION_LIMIT = 2048;

/** The events a pipeline can be triggered by. */
export const TRIGGER_EVENTS = ['push', 'pull_request', 'deployment'] as const;
export type TriggerEventName = (typeof TRIGGER_EVENTS)[number];

/** pull_request activity types that run a pipeline when `types` is not given (as on GitHub). */
export const DEFAULT_PULL_REQUEST_TYPES = ['opened', 'synchronize', 'reopened'];

/** Every pull_request activity type GitHub sends. */
const PULL_REQUEST_TYPES = new Set([
  'assigned',
  'unassigned',
  'labeled',
  'unlabeled',
  'opened',
  'edited',
  'closed',
  'reopened',
  'synchronize',
  'converted_to_draft',
  'ready_for_review',
  'locked',
  'unlocked',
  'review_requested',
  'review_request_removed',
  'auto_merge_enabled',
  'auto_merge_disabled',
  'milestoned',
  'demilestoned',
  'enqueued',
  'dequeued',
]);

/** Filters, each keyed as written in the annotation. */
export type FilterName =
  | 'branches'
  | 'branches-ignore'
  | 'tags'
  | 'tags-ignore'
  | 'paths'
  | 'paths-ignore';

export type Filters = Partial<Record<FilterName, PatternList>>;

export interface PushTrigger {
  filters: Filters;
}

export interface PullRequestTrigger {
  types: string[];
  /** Whether `types` was written (else it is the default). */
  typesGiven: boolean;
  filters: Filters;
}

/** `deployment` takes no filters: any deployment runs the pipeline. */
export type DeploymentTrigger = Record<string, never>;

/** A parsed `pipeline-portal.io/on` annotation. */
export interface Triggers {
  push?: PushTrigger;
  pull_request?: PullRequestTrigger;
  deployment?: DeploymentTrigger;
}

const FILTERS_OF: Record<TriggerEventName, FilterName[]> = {
  push: [
    'branches',
    'branches-ignore',
    'tags',
    'tags-ignore',
    'paths',
    'paths-ignore',
  ],
  pull_request: ['branches', 'branches-ignore', 'paths', 'paths-ignore'],
  deployment: [],
};

function fail(field: string, message: string): never {
  throw new InputError(`${TRIGGER_ANNOTATION}: ${field}: ${message}`);
}

function isEvent(name: string): name is TriggerEventName {
  return (TRIGGER_EVENTS as readonly string[]).includes(name);
}

function checkEvent(name: unknown, field: string): TriggerEventName {
  if (typeof name !== 'string') {
    fail(field, `an event name must be a string, got ${JSON.stringify(name)}`);
  }
  if (name === 'on') {
    fail(field, 'write the value of `on:` without the `on:` key itself');
  }
  if (!isEvent(name)) {
    fail(
      field,
      `unsupported event '${name}' (supported: ${TRIGGER_EVENTS.join(', ')})`,
    );
  }
  return name;
}

/** A filter value: one string or a list of strings. */
function stringList(value: unknown, field: string): string[] {
  const items = Array.isArray(value) ? value : [value];
  if (items.length === 0) fail(field, 'the list is empty');
  return items.map((item, i) => {
    if (typeof item !== 'string') {
      fail(
        Array.isArray(value) ? `${field}[${i}]` : field,
        `expected a string, got ${JSON.stringify(
          item,
        )} (quote patterns in YAML)`,
      );
    }
    return item;
  });
}

function parseFilters(
  event: TriggerEventName,
  body: Record<string, unknown>,
): Filters {
  const filters: Filters = {};
  for (const name of FILTERS_OF[event]) {
    if (body[name] === undefined) continue;
    const field = `${event}.${name}`;
    const ignore = name.endsWith('-ignore');
    const twin = ignore ? name.slice(0, -'-ignore'.length) : `${name}-ignore`;
    if (!ignore && body[twin] !== undefined) {
      fail(
        field,
        `${name} and ${twin} cannot both be set for one event (as on GitHub); ` +
          `use ${name} with '!' patterns to exclude`,
      );
    }
    try {
      filters[name] = PatternList.compile(
        stringList(body[name], field),
        !ignore,
      );
    } catch (e) {
      if (e instanceof FilterPatternError) fail(field, e.message);
      throw e;
    }
  }
  return filters;
}

function parseEventBody(
  event: TriggerEventName,
  raw: unknown,
): PushTrigger | PullRequestTrigger | DeploymentTrigger {
  const value = raw ?? {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    fail(event, `expected a mapping of filters, got ${JSON.stringify(value)}`);
  }
  const body = value as Record<string, unknown>;
  const allowed: string[] = [...FILTERS_OF[event]];
  if (event === 'pull_request') allowed.push('types');
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) {
      fail(
        `${event}.${key}`,
        allowed.length
          ? `not a filter of ${event} (allowed: ${allowed.join(', ')})`
          : `${event} takes no filters`,
      );
    }
  }
  if (event === 'deployment') return {};
  const filters = parseFilters(event, body);
  if (event === 'push') return { filters };
  const typesGiven = body.types !== undefined;
  const types = typesGiven
    ? stringList(body.types, 'pull_request.types')
    : DEFAULT_PULL_REQUEST_TYPES;
  types.forEach((type, i) => {
    if (!PULL_REQUEST_TYPES.has(type)) {
      fail(
        `pull_request.types[${i}]`,
        `'${type}' is not a pull_request activity type`,
      );
    }
  });
  return { types, typesGiven, filters };
}

/** The last annotations parsed; a result is only read, never changed. */
const remembered = memoizeByKey(text => parse(text), 512);

/**
 * Parses the annotation's YAML: one event (`push`), a list of events
 * (`[push, pull_request]`) or a map of events to their filters. Throws an
 * InputError naming the field on anything GitHub would refuse.
 */
export function parseTriggers(text: string): Triggers {
  if (text.length > TRIGGER_ANNOTATION_LIMIT) {
    throw new InputError(
      `${TRIGGER_ANNOTATION}: the annotation has ${text.length} characters, more than the ${TRIGGER_ANNOTATION_LIMIT} allowed`,
    );
  }
  return remembered(text);
}

function parse(text: string): Triggers {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    fail('YAML', (e as Error).message.split('\n')[0]);
  }
  const entries: [TriggerEventName, unknown][] = [];
  if (typeof doc === 'string') {
    entries.push([checkEvent(doc, 'on'), {}]);
  } else if (Array.isArray(doc)) {
    if (doc.length === 0) fail('on', 'the list of events is empty');
    doc.forEach((name, i) => entries.push([checkEvent(name, `on[${i}]`), {}]));
  } else if (doc && typeof doc === 'object') {
    for (const [name, body] of Object.entries(doc)) {
      entries.push([checkEvent(name, name), body]);
    }
    if (entries.length === 0) fail('on', 'no event is given');
  } else {
    fail(
      'on',
      `expected an event, a list of events or a map of events, got ${JSON.stringify(
        doc,
      )}`,
    );
  }
  const triggers: Record<string, unknown> = {};
  for (const [event, body] of entries) {
    if (triggers[event]) fail(event, 'the event is listed twice');
    triggers[event] = parseEventBody(event, body);
  }
  return triggers as Triggers;
}
