import type { TriggerEvent } from '../triggerTypes';
import type { Filters, Triggers } from './parseTriggers';
import { FilterBudgetError, FilterValueError, MatchBudget } from './patterns';
import type { ListMatch, PatternList } from './patterns';

/** Whether a pipeline runs for an event, and the rule that decided. */
export interface Decision {
  wouldRun: boolean;
  rule: string;
}

/** Commit-message markers that stop push and pull_request runs, as on GitHub. */
const SKIP_MARKERS = [
  '[skip ci]',
  '[ci skip]',
  '[no ci]',
  '[skip actions]',
  '[actions skip]',
];

/** The outcome of one filter: `pass` false stops the pipeline with `rule`. */
interface Check {
  pass: boolean;
  rule: string;
}

/** A `skip-checks: true` trailer at the end of the message, as on GitHub. */
const SKIP_TRAILER = /(?:^|\n)skip-checks: ?true\s*$/i;

function skipMarker(message: string | undefined): string | undefined {
  const lower = message?.toLowerCase() ?? '';
  const marker = SKIP_MARKERS.find(m => lower.includes(m));
  if (marker) return `${marker} in the commit message`;
  if (SKIP_TRAILER.test(lower)) {
    return 'skip-checks: true trailer in the commit message';
  }
  return undefined;
}

/**
 * The list's outcome, or the error of a value too long to be matched or of
 * an event whose matching budget ran out.
 */
function tryMatch(
  list: PatternList,
  value: string,
  budget: MatchBudget,
): ListMatch | FilterValueError | FilterBudgetError {
  try {
    return list.match(value, budget);
  } catch (e) {
    if (e instanceof FilterValueError || e instanceof FilterBudgetError) {
      return e;
    }
    throw e;
  }
}

/** At most this many characters of a value that cannot be matched are shown. */
const SHOWN_LENGTH = 64;

/**
 * A value longer than filter patterns are matched against: its filter fails,
 * so the pipeline does not run, and the rule says why.
 */
function unmatchable(
  field: string,
  shown: string,
  error: FilterValueError | FilterBudgetError,
): Check {
  const start =
    shown.length > SHOWN_LENGTH ? `${shown.slice(0, SHOWN_LENGTH)}...` : shown;
  return {
    pass: false,
    rule: `${field}: ${start} cannot be matched: ${error.message}`,
  };
}

function positive(
  field: string,
  list: PatternList,
  name: string,
  shown: string,
  budget: MatchBudget,
): Check {
  const m = tryMatch(list, name, budget);
  if (!('matched' in m)) return unmatchable(field, shown, m);
  if (m.matched) {
    return { pass: true, rule: `${field}: ${m.pattern} matched ${shown}` };
  }
  if (m.pattern) {
    return { pass: false, rule: `${field}: ${m.pattern} excluded ${shown}` };
  }
  return { pass: false, rule: `${field}: no pattern matched ${shown}` };
}

function ignore(
  field: string,
  list: PatternList,
  name: string,
  shown: string,
  budget: MatchBudget,
): Check {
  const m = tryMatch(list, name, budget);
  if (!('matched' in m)) return unmatchable(field, shown, m);
  if (m.matched) {
    return { pass: false, rule: `${field}: ${m.pattern} matched ${shown}` };
  }
  return { pass: true, rule: `${field}: ${shown} not ignored` };
}

/** `branches`/`branches-ignore` (or the tags pair) against one name. */
function refCheck(
  event: string,
  filters: Filters,
  kind: 'branches' | 'tags',
  budget: MatchBudget,
  name: string,
  shown = name,
): Check | undefined {
  const include = filters[kind];
  if (include) {
    return positive(`${event}.${kind}`, include, name, shown, budget);
  }
  const exclude = filters[`${kind}-ignore`];
  if (exclude) {
    return ignore(`${event}.${kind}-ignore`, exclude, name, shown, budget);
  }
  return undefined;
}

/**
 * `paths` runs when a changed file matches; `paths-ignore` runs when a changed
 * file is not ignored. Unknown changed files (undefined) let both pass. A file
 * too long to be matched decides nothing while another file lets the filter
 * pass; otherwise the filter fails and says which file could not be matched.
 */
function pathCheck(
  event: string,
  filters: Filters,
  files: string[] | undefined,
  budget: MatchBudget,
): Check | undefined {
  const include = filters.paths;
  const exclude = filters['paths-ignore'];
  if (!include && !exclude) return undefined;
  const field = `${event}.${include ? 'paths' : 'paths-ignore'}`;
  if (files === undefined) {
    return {
      pass: true,
      rule: `${field}: changed files unknown, so it passes`,
    };
  }
  let tooLong: { file: string; error: FilterValueError } | undefined;
  for (const file of files) {
    const m = tryMatch(include ?? exclude!, file, budget);
    if (m instanceof FilterBudgetError) return unmatchable(field, file, m);
    if (m instanceof FilterValueError) {
      tooLong ??= { file, error: m };
    } else if (include && m.matched) {
      return { pass: true, rule: `${field}: ${m.pattern} matched ${file}` };
    } else if (!include && !m.matched) {
      return { pass: true, rule: `${field}: ${file} not ignored` };
    }
  }
  if (tooLong) return unmatchable(field, tooLong.file, tooLong.error);
  return include
    ? { pass: false, rule: `${field}: no changed file matched` }
    : { pass: false, rule: `${field}: every changed file is ignored` };
}

function combine(checks: (Check | undefined)[], otherwise: string): Decision {
  const done = checks.filter((c): c is Check => c !== undefined);
  const failed = done.find(c => !c.pass);
  if (failed) return { wouldRun: false, rule: failed.rule };
  return {
    wouldRun: true,
    rule: done.length ? done.map(c => c.rule).join('; ') : otherwise,
  };
}

const stripPrefix = (ref: string, prefix: string) =>
  ref.startsWith(prefix) ? ref.slice(prefix.length) : undefined;

function decidePush(
  filters: Filters,
  event: TriggerEvent,
  budget: MatchBudget,
): Decision {
  const ref = event.ref ?? '';
  const branch = stripPrefix(ref, 'refs/heads/');
  const tag = stripPrefix(ref, 'refs/tags/');
  const hasBranchFilter = !!(filters.branches || filters['branches-ignore']);
  const hasTagFilter = !!(filters.tags || filters['tags-ignore']);
  if (tag !== undefined) {
    // As on GitHub: with branch filters only, tag pushes do not run; path
    // filters are not evaluated for tags.
    if (hasBranchFilter && !hasTagFilter) {
      return {
        wouldRun: false,
        rule: `push: only branch filters are set, so the tag push ${ref} does not run`,
      };
    }
    return combine(
      [refCheck('push', filters, 'tags', budget, tag, ref)],
      `push: any tag (${ref})`,
    );
  }
  if (branch === undefined) {
    if (hasBranchFilter || hasTagFilter) {
      return {
        wouldRun: false,
        rule: ref
          ? `push: ${ref} is neither a branch nor a tag`
          : 'push: the event has no ref to match the filters against',
      };
    }
    return combine(
      [pathCheck('push', filters, event.changedFiles, budget)],
      'push: any ref',
    );
  }
  if (hasTagFilter && !hasBranchFilter) {
    return {
      wouldRun: false,
      rule: `push: only tag filters are set, so the branch push ${ref} does not run`,
    };
  }
  return combine(
    [
      refCheck('push', filters, 'branches', budget, branch, ref),
      pathCheck('push', filters, event.changedFiles, budget),
    ],
    `push: any branch (${ref})`,
  );
}

function decidePullRequest(
  trigger: NonNullable<Triggers['pull_request']>,
  event: TriggerEvent,
  budget: MatchBudget,
): Decision {
  if (event.action !== undefined && !trigger.types.includes(event.action)) {
    const which = trigger.typesGiven
      ? 'pull_request.types'
      : 'pull_request.types (default)';
    return {
      wouldRun: false,
      rule: `${which}: ${event.action} is not one of ${trigger.types.join(
        ', ',
      )}`,
    };
  }
  const base = event.baseRef?.replace(/^refs\/heads\//, '');
  const { filters } = trigger;
  let branchCheck: Check | undefined;
  if (filters.branches || filters['branches-ignore']) {
    branchCheck =
      base === undefined
        ? {
            pass: false,
            rule: 'pull_request: the event has no base branch to match the filters against',
          }
        : refCheck('pull_request', filters, 'branches', budget, base);
  }
  return combine(
    [
      branchCheck,
      pathCheck('pull_request', filters, event.changedFiles, budget),
    ],
    `pull_request: any pull request${event.action ? ` (${event.action})` : ''}`,
  );
}

/**
 * Decides one pipeline's triggers against one event. Pure, no I/O. A
 * pull_request event without an action is not checked against `types`; push
 * and pull_request events whose message says `[skip ci]` (and GitHub's other
 * markers) run nothing. A branch, tag or path too long to be matched against
 * the filters (FILTER_PATTERN_LIMITS.valueLength) fails its filter, and the
 * rule says so; so does a filter met once the event's matching budget (shared
 * by the pipelines decided for one event) is spent.
 */
export function decide(
  triggers: Triggers,
  event: TriggerEvent,
  budget: MatchBudget = new MatchBudget(),
): Decision {
  const trigger = triggers[event.name];
  if (!trigger) return { wouldRun: false, rule: `no ${event.name} trigger` };
  if (event.name === 'deployment') {
    return { wouldRun: true, rule: 'deployment: any deployment' };
  }
  const skip = skipMarker(event.message);
  if (skip) return { wouldRun: false, rule: skip };
  return event.name === 'push'
    ? decidePush(triggers.push!.filters, event, budget)
    : decidePullRequest(triggers.pull_request!, event, budget);
}
