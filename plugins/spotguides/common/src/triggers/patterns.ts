import { RE2JS } from 're2js';

/**
 * GitHub Actions filter patterns (branches, tags, paths), matched in time
 * linear in the value whatever the pattern.
 *
 * GitHub's rules differ from plain globs: `*` stops at `/`, `**` matches
 * anything (also inside a segment, as in `**.js` or `releases/**-alpha`), `?`
 * and `+` repeat the character or `[]` class before them zero-or-one and
 * one-or-more times, `\` escapes, and a leading `!` negates. There are no
 * braces, dot files match like any other name, a trailing `/` in the value
 * does not match a pattern without one, and the whole value must match.
 *
 * Patterns come from repositories and from the explain API, so they are not
 * trusted: each one is translated to an RE2 regular expression and run by
 * re2js, whose automaton matches in time proportional to the value's length
 * times the pattern's size, with no backtracking. A backtracking engine
 * (JavaScript's RegExp) takes exponential time on patterns such as a run of
 * `x+x+x+...` or `*a*a*a...` against a few dozen characters. Sizes are bounded
 * too (see {@link FILTER_PATTERN_LIMITS}).
 */

/** The sizes a filter pattern, a pattern list and a matched value may have. */
export const FILTER_PATTERN_LIMITS = {
  /** Characters of one pattern, its leading `!` included. */
  patternLength: 512,
  /** Patterns in one list (as written under `branches`, `paths`...). */
  listSize: 200,
  /**
   * Characters of a value (branch, tag, ref or path) matched against a
   * pattern. A longer one is not matched: FilterValueError says why.
   */
  valueLength: 4096,
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

/** One character or `[]` class, as RE2 syntax. */
type Atom = { kind: 'atom'; re: string; slash: boolean };

type Token =
  | Atom
  | { kind: 'star' }
  | { kind: 'globstar' }
  | { kind: 'repeat'; min: 0 | 1; atom: string };

/**
 * What a `[]` class may list: letters, digits, `.`, `_` and `-`. A `-`
 * between two letters or digits makes a range.
 */
const CLASS_BODY = /^[A-Za-z0-9._-]+$/;
const ALNUM = /^[A-Za-z0-9]$/;

/** ASCII punctuation, which RE2 takes literally once escaped with `\`. */
const PUNCTUATION = /^[!-/:-@[-`{-~]$/;

/** One character (a whole code point) as an RE2 literal. */
function literal(c: string): Atom {
  return {
    kind: 'atom',
    re: PUNCTUATION.test(c) ? `\\${c}` : c,
    slash: c === '/',
  };
}

/**
 * A `[]` class body (already checked against CLASS_BODY) as RE2 syntax. A
 * `-` between two letters or digits is a range, read from the left as
 * JavaScript does (`a-c-e` is `a` to `c`, `-` and `e`); any other `-` is
 * itself.
 */
function classOf(pattern: string, body: string, at: number): Atom {
  let re = '';
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
      re += `${from}-${to}`;
      j += 2;
    } else {
      re += from === '-' ? '\\-' : from;
    }
  }
  return { kind: 'atom', re: `[${re}]`, slash: false };
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
        atom: prev.re,
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

/**
 * The RE2 expression (matched with DOTALL, against the whole value) that
 * matches what the GitHub pattern matches:
 *
 * - `*` is `[^/]*`, or `[^/]+` when it is a whole segment (`a/*` does not
 *   match `a/`);
 * - `**` as a whole segment is any number of segments: `**` alone and a
 *   trailing `/**` match anything, `**` + `/` at the start or between slashes
 *   matches nothing or anything that ends with `/`;
 * - `**` inside a segment (`**.js`, `a**z`) is anything, `/` included.
 *
 * Each token becomes one piece, so the expression grows linearly with the
 * pattern and there are no variants to multiply.
 */
function toRe2(pattern: string): string {
  const tokens = tokenize(pattern);
  let re = '';
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    const before = tokens[i - 1];
    const after = tokens[i + 1];
    switch (token.kind) {
      case 'atom':
        re += token.re;
        break;
      case 'repeat':
        re += `(?:${token.atom})${token.min === 0 ? '?' : '+'}`;
        break;
      case 'star':
        re += segmentEdge(before) && segmentEdge(after) ? '[^/]+' : '[^/]*';
        break;
      default:
        if (segmentEdge(before) && after !== undefined && segmentEdge(after)) {
          // `**/`: nothing, or whole segments each with its `/`.
          re += '(?:.*/)?';
          i++;
        } else {
          re += '.*';
        }
    }
  }
  return re;
}

/** One compiled pattern of a list. */
export interface CompiledPattern {
  /** As written, with its `!` if any. */
  source: string;
  negated: boolean;
  /**
   * Whether the whole value matches. Throws FilterValueError when the value
   * is longer than {@link FILTER_PATTERN_LIMITS}.valueLength.
   */
  test(value: string): boolean;
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
  const expression = toRe2(body);
  let re: RE2JS;
  try {
    re = RE2JS.compile(expression, RE2JS.DOTALL);
  } catch (e) {
    // The translation only writes valid RE2; this is a safety net.
    throw new FilterPatternError(
      `'${source}' cannot be compiled: ${(e as Error).message}`,
    );
  }
  return {
    source,
    negated,
    test: value => {
      checkValue(value);
      return re.matches(value);
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
   * {@link FILTER_PATTERN_LIMITS}.valueLength (whatever the patterns).
   */
  match(value: string): ListMatch {
    checkValue(value);
    let result: ListMatch = { matched: false };
    for (const p of this.patterns) {
      if (p.test(value)) result = { matched: !p.negated, pattern: p.source };
    }
    return result;
  }

  toString(): string {
    return this.patterns.map(p => p.source).join(', ');
  }
}
