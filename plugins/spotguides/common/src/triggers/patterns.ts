/**
 * GitHub Actions filter patterns (branches, tags, paths), matched in time
 * linear in the value whatever the pattern, within a budget of work per
 * event.
 *
 * GitHub's rules differ from plain globs: `*` stops at `/`, `**` matches
 * anything (also inside a segment, as in `**.js` or `releases/**-alpha`), `?`
 * and `+` repeat the character or `[]` class before them zero-or-one and
 * one-or-more times, `\` escapes, and a leading `!` negates. There are no
 * braces, dot files match like any other name, a trailing `/` in the value
 * does not match a pattern without one, and the whole value must match.
 *
 * Patterns come from repositories and from the explain API, so they are not
 * trusted. A backtracking engine (JavaScript's RegExp) takes exponential time
 * on patterns such as a run of `x+x+x+...` or `*a*a*a...` against a few dozen
 * characters, and a lazily built DFA (RE2) spends seconds and megabytes per
 * pattern building its states on the same input. This small language needs
 * neither: each pattern compiles to a Thompson automaton of a few states per
 * character, simulated over the value with one set of active states, so a
 * match costs at most (value length) x (states) steps, counted against a
 * {@link MatchBudget} so that one event's matching stays bounded however
 * many patterns and values it brings. Sizes are bounded too (see
 * {@link FILTER_PATTERN_LIMITS}).
 */

/** The sizes a filter pattern, a pattern list and a matched value may have. */
export const FILTER_PATTERN_LIMITS = {
  /** Characters of one pattern, its leading `!` included. */
  patternLength: 256,
  /** Patterns in one list (as written under `branches`, `paths`...). */
  listSize: 100,
  /**
   * Characters of a value (branch, tag, ref or path) matched against a
   * pattern. A longer one is not matched: FilterValueError says why.
   */
  valueLength: 4096,
  /**
   * Automaton steps one event may spend on every pattern of every pipeline
   * file of a commit (a step is one state visited for one character): about
   * 5 to 10 ms of work on this project's machines. Ordinary filters spend a
   * few steps per character of a ref or changed path.
   */
  stepsPerEvent: 500_000,
} as const;

/** A pattern list (as written under `branches`, `paths`...) that is not valid. */
export class FilterPatternError extends Error {
  name = 'FilterPatternError';
}

/**
 * A value that cannot be matched against filter patterns: it is longer than
 * {@link FILTER_PATTERN_LIMITS}.valueLength. Thrown by `test` and `match`, so
 * that the caller reports it instead of a silent match or mismatch.
 */
export class FilterValueError extends Error {
  name = 'FilterValueError';

  constructor(
    /** The value's length, in characters. */
    readonly length: number,
  ) {
    super(
      `a value of ${length} characters is longer than the ` +
        `${FILTER_PATTERN_LIMITS.valueLength} that filter patterns are matched against`,
    );
  }
}

/**
 * One event's matching needed more work than its {@link MatchBudget}: the
 * filters (or the values, such as a push's changed files) are too large to be
 * evaluated, and the caller reports it instead of a match or mismatch.
 */
export class FilterBudgetError extends Error {
  name = 'FilterBudgetError';

  constructor(readonly steps: number) {
    super(
      `matching the filters needs more than the ${steps} steps allowed for one event: make the patterns shorter or fewer`,
    );
  }
}

/** The work one event may still spend on matching, shared by its lists. */
export class MatchBudget {
  private left: number;

  constructor(readonly steps: number = FILTER_PATTERN_LIMITS.stepsPerEvent) {
    this.left = steps;
  }

  /** Steps counted so far. */
  get spent(): number {
    return this.steps - this.left;
  }

  /** Counts `n` steps; throws FilterBudgetError once the budget is spent. */
  spend(n: number): void {
    this.left -= n;
    if (this.left < 0) throw new FilterBudgetError(this.steps);
  }
}

/**
 * One character or `[]` class: the code points it accepts, as inclusive
 * ranges (a literal is a range of one).
 */
type Atom = { kind: 'atom'; ranges: Array<[number, number]>; slash: boolean };

type Token =
  | Atom
  | { kind: 'star' }
  | { kind: 'globstar' }
  | { kind: 'repeat'; min: 0 | 1; atom: Atom };

/**
 * What a `[]` class may list: letters, digits, `.`, `_` and `-`. A `-`
 * between two letters or digits makes a range.
 */
const CLASS_BODY = /^[A-Za-z0-9._-]+$/;
const ALNUM = /^[A-Za-z0-9]$/;
const SLASH = '/'.codePointAt(0)!;

/** One character (a whole code point) matched as itself. */
function literal(c: string): Atom {
  const code = c.codePointAt(0)!;
  return { kind: 'atom', ranges: [[code, code]], slash: code === SLASH };
}

/**
 * A `[]` class body (already checked against CLASS_BODY). A `-` between two
 * letters or digits is a range, read from the left as JavaScript does
 * (`a-c-e` is `a` to `c`, `-` and `e`); any other `-` is itself.
 */
function classOf(pattern: string, body: string, at: number): Atom {
  const ranges: Array<[number, number]> = [];
  for (let j = 0; j < body.length; j++) {
    const from = body[j];
    const to = body[j + 2];
    if (ALNUM.test(from) && body[j + 1] === '-' && ALNUM.test(to ?? '')) {
      if (from > to) {
        throw new FilterPatternError(
          `'${pattern}' has a bad [] class at position ${at}: ` +
            `the range ${from}-${to} is backwards`,
        );
      }
      ranges.push([from.codePointAt(0)!, to.codePointAt(0)!]);
      j += 2;
    } else {
      const code = from.codePointAt(0)!;
      ranges.push([code, code]);
    }
  }
  return { kind: 'atom', ranges, slash: false };
}

function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  // Code points, so that `?` and `+` repeat a whole character.
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (c === '\\') {
      if (i + 1 >= chars.length) {
        throw new FilterPatternError(`'${pattern}' ends with a lone \\`);
      }
      tokens.push(literal(chars[++i]));
    } else if (c === '*') {
      if (chars[i + 1] === '*') {
        tokens.push({ kind: 'globstar' });
        while (chars[i + 1] === '*') i++;
      } else {
        tokens.push({ kind: 'star' });
      }
    } else if (c === '[') {
      const end = chars.indexOf(']', i + 1);
      const body = end < 0 ? '' : chars.slice(i + 1, end).join('');
      if (end < 0 || !CLASS_BODY.test(body)) {
        throw new FilterPatternError(
          `'${pattern}' has a bad [] class at position ${i + 1}: ` +
            `it must list letters, digits or ranges like [0-9a-z], and be closed`,
        );
      }
      tokens.push(classOf(pattern, body, i + 1));
      i = end;
    } else if (c === '?' || c === '+') {
      const prev = tokens[tokens.length - 1];
      if (prev?.kind !== 'atom') {
        throw new FilterPatternError(
          `'${pattern}' has '${c}' at position ${i + 1} with no character ` +
            `or [] class before it to repeat`,
        );
      }
      tokens[tokens.length - 1] = {
        kind: 'repeat',
        min: c === '?' ? 0 : 1,
        atom: prev,
      };
    } else {
      tokens.push(literal(c));
    }
  }
  return tokens;
}

/** Whether a token starts or ends a segment where `t` is its neighbour. */
const segmentEdge = (t: Token | undefined) =>
  t === undefined || (t.kind === 'atom' && t.slash);

/** What a state consumes: a class of code points, any but `/`, or any. */
type Accepts = Array<[number, number]> | 'notSlash' | 'any';

const SPLIT = 0;
const RANGES = 1;
const NOT_SLASH = 2;
const ANY = 3;
const ACCEPT = 4;

/**
 * A Thompson automaton in flat arrays: state `i` either consumes one code
 * point it accepts (`kind` RANGES, NOT_SLASH or ANY) and goes to `to[i]`, or
 * (`kind` SPLIT) moves without consuming to each of its targets. The last
 * state accepts. The work buffers are the automaton's own: matching is
 * synchronous, so one set serves every match.
 */
class Automaton {
  readonly kind: Uint8Array;
  readonly to: Int32Array;
  /** SPLIT: its targets are `splits[at[i]..end[i]]`; RANGES: its ranges in `ranges`, likewise. */
  readonly at: Int32Array;
  readonly end: Int32Array;
  readonly splits: Int32Array;
  readonly ranges: Int32Array;
  private readonly seen: Int32Array;
  private readonly stack: Int32Array;
  private current: Int32Array;
  private next: Int32Array;
  private generation = 0;

  constructor(
    states: Array<{ accepts: Accepts | null; to: number; split: number[] }>,
  ) {
    const n = states.length;
    this.kind = new Uint8Array(n);
    this.to = new Int32Array(n);
    this.at = new Int32Array(n);
    this.end = new Int32Array(n);
    const splits: number[] = [];
    const ranges: number[] = [];
    states.forEach((s, i) => {
      this.to[i] = s.to;
      if (i === n - 1) {
        this.kind[i] = ACCEPT;
      } else if (s.accepts === null) {
        this.kind[i] = SPLIT;
        this.at[i] = splits.length;
        splits.push(...s.split);
        this.end[i] = splits.length;
      } else if (s.accepts === 'notSlash') {
        this.kind[i] = NOT_SLASH;
      } else if (s.accepts === 'any') {
        this.kind[i] = ANY;
      } else {
        this.kind[i] = RANGES;
        this.at[i] = ranges.length;
        for (const [from, to] of s.accepts) ranges.push(from, to);
        this.end[i] = ranges.length;
      }
    });
    this.splits = Int32Array.from(splits);
    this.ranges = Int32Array.from(ranges);
    this.seen = new Int32Array(n).fill(-1);
    this.stack = new Int32Array(n);
    this.current = new Int32Array(n);
    this.next = new Int32Array(n);
  }

  /**
   * Adds to `into` (from `length`) every consuming or accepting state that
   * `start` reaches without consuming; returns the new length. Each state is
   * visited once per character, and counted.
   */
  private close(start: number, into: Int32Array, from: number): number {
    const { kind, seen, stack, splits, at, end } = this;
    const generation = this.generation;
    let length = from;
    let top = 0;
    let visited = 0;
    stack[top++] = start;
    while (top > 0) {
      const s = stack[--top];
      if (seen[s] === generation) continue;
      seen[s] = generation;
      visited++;
      if (kind[s] === SPLIT) {
        for (let k = end[s] - 1; k >= at[s]; k--) stack[top++] = splits[k];
      } else {
        into[length++] = s;
      }
    }
    this.visited += visited;
    return length;
  }

  private visited = 0;

  /**
   * Whether the automaton accepts the whole value: one pass over its code
   * points with the set of states reachable so far, so the cost is at most
   * (code points + 1) x (states), counted against the budget.
   */
  run(value: string, budget: MatchBudget): boolean {
    const { kind, to, ranges, at, end } = this;
    this.visited = 0;
    this.generation++;
    let size = this.close(0, this.current, 0);
    for (const char of value) {
      if (size === 0) break;
      budget.spend(this.visited);
      this.visited = 0;
      const code = char.codePointAt(0)!;
      this.generation++;
      const current = this.current;
      const next = this.next;
      let nextSize = 0;
      for (let k = 0; k < size; k++) {
        const s = current[k];
        const what = kind[s];
        let ok = false;
        if (what === ANY) ok = true;
        else if (what === NOT_SLASH) ok = code !== SLASH;
        else if (what === RANGES) {
          for (let r = at[s]; r < end[s]; r += 2) {
            if (code >= ranges[r] && code <= ranges[r + 1]) {
              ok = true;
              break;
            }
          }
        }
        if (ok) nextSize = this.close(to[s], next, nextSize);
      }
      this.current = next;
      this.next = current;
      size = nextSize;
    }
    budget.spend(this.visited);
    const last = kind.length - 1;
    for (let k = 0; k < size; k++) if (this.current[k] === last) return true;
    return false;
  }
}

/**
 * The automaton that matches what the GitHub pattern matches:
 *
 * - `*` is any run of characters but `/`, at least one when it is a whole
 *   segment (`a/*` does not match `a/`);
 * - `**` as a whole segment is any number of segments: `**` alone and a
 *   trailing `/**` match anything, `**` + `/` at the start or between
 *   slashes matches nothing or anything that ends with `/`;
 * - `**` inside a segment (`**.js`, `a**z`) is anything, `/` included.
 *
 * A few states per token: the automaton grows linearly with the pattern.
 */
function toAutomaton(pattern: string): Automaton {
  const tokens = tokenize(pattern);
  const states: Array<{
    accepts: Accepts | null;
    to: number;
    split: number[];
  }> = [];
  const state = (accepts: Accepts | null, to = -1, split: number[] = []) => {
    states.push({ accepts, to, split });
    return states.length - 1;
  };
  const next = () => states.length;
  /** `x*`: a split to one consuming state that loops back, or onwards. */
  const loop = (accepts: Accepts) => {
    const s = state(null);
    const c = state(accepts, s);
    states[s].split = [c, c + 1];
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    const before = tokens[i - 1];
    const after = tokens[i + 1];
    switch (token.kind) {
      case 'atom':
        state(token.ranges, next() + 1);
        break;
      case 'repeat':
        if (token.min === 0) {
          const s = state(null);
          state(token.atom.ranges, s + 2);
          states[s].split = [s + 1, s + 2];
        } else {
          const c = state(token.atom.ranges, next() + 1);
          state(null, -1, [c, c + 2]);
        }
        break;
      case 'star':
        if (segmentEdge(before) && segmentEdge(after)) {
          const c = state('notSlash', next() + 1);
          state(null, -1, [c, c + 2]);
        } else {
          loop('notSlash');
        }
        break;
      default:
        if (segmentEdge(before) && after !== undefined && segmentEdge(after)) {
          // `**/`: nothing, or any characters up to and with a `/`.
          const s = state(null);
          const l = state(null);
          const any = state('any', l);
          const slash = state([[SLASH, SLASH]], any + 2);
          states[s].split = [l, slash + 1];
          states[l].split = [any, slash];
          i++;
        } else {
          loop('any');
        }
    }
  }
  state(null); // accepting
  return new Automaton(states);
}

/** One compiled pattern of a list. */
export interface CompiledPattern {
  /** As written, with its `!` if any. */
  source: string;
  negated: boolean;
  /**
   * Whether the whole value matches. Throws FilterValueError when the value
   * is longer than {@link FILTER_PATTERN_LIMITS}.valueLength, and
   * FilterBudgetError when the budget (by default a fresh one of one
   * event's size) runs out.
   */
  test(value: string, budget?: MatchBudget): boolean;
}

function checkValue(value: string): void {
  if (value.length > FILTER_PATTERN_LIMITS.valueLength) {
    throw new FilterValueError(value.length);
  }
}

/** Compiles one GitHub filter pattern; throws FilterPatternError when invalid. */
export function compilePattern(source: string): CompiledPattern {
  const max = FILTER_PATTERN_LIMITS.patternLength;
  if (source.length > max) {
    throw new FilterPatternError(
      `a pattern of ${source.length} characters is longer than the ${max} allowed ` +
        `('${source.slice(0, 32)}...')`,
    );
  }
  const negated = source.startsWith('!');
  const body = negated ? source.slice(1) : source;
  if (body === '') {
    throw new FilterPatternError(
      negated ? `'!' alone is not a pattern` : 'a pattern is empty',
    );
  }
  const automaton = toAutomaton(body);
  return {
    source,
    negated,
    test: (value, budget = new MatchBudget()) => {
      checkValue(value);
      return automaton.run(value, budget);
    },
  };
}

/** The outcome of a value against an ordered pattern list. */
export interface ListMatch {
  matched: boolean;
  /** The last pattern that matched the value (it decided), if any. */
  pattern?: string;
}

/** An ordered list of GitHub filter patterns. */
export class PatternList {
  private constructor(readonly patterns: CompiledPattern[]) {}

  /**
   * Compiles a list. `requirePositive` is for `branches`, `tags` and `paths`:
   * there GitHub wants at least one pattern without `!` (a list of negations
   * alone can match nothing). Throws FilterPatternError when a pattern is
   * invalid or the list is empty or longer than
   * {@link FILTER_PATTERN_LIMITS}.listSize.
   */
  static compile(sources: string[], requirePositive: boolean): PatternList {
    if (sources.length === 0) {
      throw new FilterPatternError('the list is empty');
    }
    const max = FILTER_PATTERN_LIMITS.listSize;
    if (sources.length > max) {
      throw new FilterPatternError(
        `the list has ${sources.length} patterns, more than the ${max} allowed`,
      );
    }
    const patterns = sources.map(compilePattern);
    if (requirePositive && patterns.every(p => p.negated)) {
      throw new FilterPatternError(
        `every pattern starts with '!', so nothing can match: add a pattern ` +
          `without '!' (such as '**') before them, or use the -ignore filter`,
      );
    }
    return new PatternList(patterns);
  }

  /**
   * Patterns are checked in order: the last one that matches decides. Throws
   * FilterValueError when the value is longer than
   * {@link FILTER_PATTERN_LIMITS}.valueLength (whatever the patterns), and
   * FilterBudgetError when `budget` runs out.
   */
  match(value: string, budget: MatchBudget = new MatchBudget()): ListMatch {
    checkValue(value);
    let result: ListMatch = { matched: false };
    for (const p of this.patterns) {
      if (p.test(value, budget)) {
        result = { matched: !p.negated, pattern: p.source };
      }
    }
    return result;
  }

  toString(): string {
    return this.patterns.map(p => p.source).join(', ');
  }
}
