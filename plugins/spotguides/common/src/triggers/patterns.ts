import picomatch from 'picomatch/posix';

/**
 * GitHub Actions filter patterns (branches, tags, paths) on top of picomatch.
 *
 * GitHub's rules differ from plain globs: `*` stops at `/`, `**` matches
 * anything (also inside a segment, as in `**.js` or `releases/**-alpha`), `?`
 * and `+` repeat the character or `[]` class before them zero-or-one and
 * one-or-more times, `\` escapes, and a leading `!` negates. Each pattern is
 * translated to picomatch syntax (`?(x)`, `+(x)`, escaped literals) and
 * compiled with options that switch off what GitHub does not have (braces,
 * leading-`!` negation, hidden dotfiles, a trailing `/` matching).
 */

const PICOMATCH_OPTIONS = {
  dot: true,
  nobrace: true,
  nonegate: true,
  strictSlashes: true,
  literalBrackets: false,
} as const;

/** More `**` inside segments than this is refused: each one doubles the variants. */
const MAX_INNER_GLOBSTARS = 5;

/** A pattern list (as written under `branches`, `paths`...) that is not valid. */
export class FilterPatternError extends Error {
  name = 'FilterPatternError';
}

type Token =
  | { kind: 'literal'; text: string }
  | { kind: 'class'; text: string }
  | { kind: 'star' }
  | { kind: 'globstar' }
  | { kind: 'repeat'; min: 0 | 1; atom: string };

const CLASS_BODY = /^(?:[A-Za-z0-9](?:-[A-Za-z0-9])?|[._-])+$/;

function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      if (i + 1 >= pattern.length) {
        throw new FilterPatternError(`'${pattern}' ends with a lone \\`);
      }
      tokens.push({ kind: 'literal', text: escapeLiteral(pattern[++i]) });
    } else if (c === '*') {
      if (pattern[i + 1] === '*') {
        tokens.push({ kind: 'globstar' });
        while (pattern[i + 1] === '*') i++;
      } else {
        tokens.push({ kind: 'star' });
      }
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      const body = end < 0 ? '' : pattern.slice(i + 1, end);
      if (end < 0 || !CLASS_BODY.test(body)) {
        throw new FilterPatternError(
          `'${pattern}' has a bad [] class at position ${i + 1}: ` +
            `it must list letters, digits or ranges like [0-9a-z], and be closed`,
        );
      }
      tokens.push({ kind: 'class', text: `[${body}]` });
      i = end;
    } else if (c === '?' || c === '+') {
      const prev = tokens[tokens.length - 1];
      if (!prev || (prev.kind !== 'literal' && prev.kind !== 'class')) {
        throw new FilterPatternError(
          `'${pattern}' has '${c}' at position ${i + 1} with no character ` +
            `or [] class before it to repeat`,
        );
      }
      tokens[tokens.length - 1] = {
        kind: 'repeat',
        min: c === '?' ? 0 : 1,
        atom: prev.text,
      };
    } else {
      tokens.push({ kind: 'literal', text: c === '/' ? c : escapeLiteral(c) });
    }
  }
  return tokens;
}

function escapeLiteral(c: string): string {
  return /[A-Za-z0-9]/.test(c) ? c : `\\${c}`;
}

const isSlash = (t: Token | undefined) =>
  t?.kind === 'literal' && t.text === '/';

/**
 * picomatch patterns whose union matches what the GitHub pattern matches. A
 * `**` that fills a whole segment is picomatch's globstar; one inside a segment
 * means "anything, `/` included", which is `*` (no slash) or `*\/**\/*` (some).
 */
function toPicomatch(pattern: string): string[] {
  const tokens = tokenize(pattern);
  let variants = [''];
  let inner = 0;
  tokens.forEach((token, i) => {
    let pieces: string[];
    switch (token.kind) {
      case 'literal':
      case 'class':
        pieces = [token.text];
        break;
      case 'star':
        pieces = ['*'];
        break;
      case 'repeat':
        pieces = [`${token.min === 0 ? '?' : '+'}(${token.atom})`];
        break;
      default: {
        const before = tokens[i - 1];
        const after = tokens[i + 1];
        const wholeSegment =
          (!before || isSlash(before)) && (!after || isSlash(after));
        if (wholeSegment) {
          pieces = ['**'];
        } else {
          if (++inner > MAX_INNER_GLOBSTARS) {
            throw new FilterPatternError(
              `'${pattern}' has more than ${MAX_INNER_GLOBSTARS} ** inside path segments`,
            );
          }
          pieces = ['*', '*/**/*'];
        }
      }
    }
    variants = variants.flatMap(v => pieces.map(p => v + p));
  });
  return variants;
}

/** One compiled pattern of a list. */
export interface CompiledPattern {
  /** As written, with its `!` if any. */
  source: string;
  negated: boolean;
  test(value: string): boolean;
}

/** Compiles one GitHub filter pattern; throws FilterPatternError when invalid. */
export function compilePattern(source: string): CompiledPattern {
  const negated = source.startsWith('!');
  const body = negated ? source.slice(1) : source;
  if (body === '') {
    throw new FilterPatternError(
      negated ? `'!' alone is not a pattern` : 'a pattern is empty',
    );
  }
  const regexes = toPicomatch(body).map(p =>
    picomatch.makeRe(p, PICOMATCH_OPTIONS),
  );
  return {
    source,
    negated,
    test: value => regexes.some(re => re.test(value)),
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
   * alone can match nothing).
   */
  static compile(sources: string[], requirePositive: boolean): PatternList {
    if (sources.length === 0) {
      throw new FilterPatternError('the list is empty');
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

  /** Patterns are checked in order: the last one that matches decides. */
  match(value: string): ListMatch {
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
