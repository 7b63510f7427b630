import {
  compilePattern,
  FILTER_PATTERN_LIMITS,
  FilterBudgetError,
  FilterPatternError,
  FilterValueError,
  MatchBudget,
  PatternList,
} from './patterns';

/**
 * GitHub's "Filter pattern cheat sheet" (Workflow syntax for GitHub Actions),
 * every row: the patterns of a row as a list, in order, and its example
 * matches. `no` holds the names the row says do not match, or that its
 * description rules out.
 */
const branchesAndTags: { patterns: string[]; yes: string[]; no?: string[] }[] =
  [
    {
      patterns: ['feature/*'],
      yes: ['feature/my-branch', 'feature/your-branch'],
      no: ['feature/beta-a/my-branch', 'feature'],
    },
    {
      patterns: ['feature/**'],
      yes: [
        'feature/beta-a/my-branch',
        'feature/your-branch',
        'feature/mona/the/octocat',
      ],
      no: ['feature', 'features/x'],
    },
    { patterns: ['main'], yes: ['main'], no: ['main2', 'a/main'] },
    {
      patterns: ['releases/mona-the-octocat'],
      yes: ['releases/mona-the-octocat'],
      no: ['releases/mona-the-octocats'],
    },
    {
      patterns: ['*'],
      yes: ['main', 'releases'],
      no: ['releases/v1', 'all/the/branches'],
    },
    { patterns: ['**'], yes: ['all/the/branches', 'every/tag', 'main'] },
    {
      patterns: ['*feature'],
      yes: ['mona-feature', 'feature', 'ver-10-feature'],
      no: ['feature-x', 'a/feature'],
    },
    { patterns: ['v2*'], yes: ['v2', 'v2.0', 'v2.9'], no: ['v1.0', 'v2/x'] },
    {
      patterns: ['v[12].[0-9]+.[0-9]+'],
      yes: ['v1.10.1', 'v2.0.0'],
      no: ['v3.0.0', 'v1.x.1', 'v1.10', 'v12.0.0'],
    },
  ];

const filePaths: { patterns: string[]; yes: string[]; no?: string[] }[] = [
  {
    patterns: ['*'],
    yes: ['README.md', 'server.rb'],
    no: ['docs/README.md'],
  },
  {
    patterns: ['*.jsx?'],
    yes: ['page.js', 'page.jsx'],
    no: ['page.jsxx', 'src/page.js'],
  },
  { patterns: ['**'], yes: ['all/the/files.md', '.github/workflows/ci.yml'] },
  {
    patterns: ['*.js'],
    yes: ['app.js', 'index.js'],
    no: ['js/index.js'],
  },
  {
    patterns: ['**.js'],
    yes: ['index.js', 'js/index.js', 'src/js/app.js'],
    no: ['index.ts'],
  },
  {
    patterns: ['docs/*'],
    yes: ['docs/README.md', 'docs/file.txt'],
    no: ['docs/mona/octocat.txt', 'README.md'],
  },
  {
    patterns: ['docs/**'],
    yes: ['docs/README.md', 'docs/mona/octocat.txt'],
    no: ['src/docs/a.md'],
  },
  {
    patterns: ['docs/**/*.md'],
    yes: [
      'docs/README.md',
      'docs/mona/hello-world.md',
      'docs/a/markdown/file.md',
    ],
    no: ['docs/a.txt', 'README.md'],
  },
  {
    patterns: ['**/docs/**'],
    yes: ['docs/hello.md', 'dir/docs/my-file.txt', 'space/docs/plan/space.doc'],
    no: ['mydocs/a.md'],
  },
  {
    patterns: ['**/README.md'],
    yes: ['README.md', 'js/README.md'],
    no: ['README.mdx', 'js/NOT-README.md'],
  },
  {
    patterns: ['**/*src/**'],
    yes: ['a/src/app.js', 'my-src/code/js/app.js'],
    no: ['src-a/app.js'],
  },
  {
    patterns: ['**/*-post.md'],
    yes: ['my-post.md', 'path/their-post.md'],
    no: ['post.md'],
  },
  {
    patterns: ['**/migrate-*.sql'],
    yes: ['migrate-10909.sql', 'db/migrate-v1.0.sql', 'db/sept/migrate-v1.sql'],
    no: ['db/migrate/v1.sql'],
  },
  {
    patterns: ['*.md', '!README.md'],
    yes: ['hello.md'],
    no: ['README.md', 'docs/hello.md'],
  },
  {
    patterns: ['*.md', '!README.md', 'README*'],
    yes: ['hello.md', 'README.md', 'README.doc'],
    no: ['docs/hello.md'],
  },
];

const rows = [
  ...branchesAndTags.map(r => ['branches and tags', r] as const),
  ...filePaths.map(r => ['file paths', r] as const),
];

describe('GitHub filter patterns: the cheat sheet', () => {
  describe.each(rows)('%s: %j', (_kind, row) => {
    const list = PatternList.compile(row.patterns, true);
    it.each(row.yes)('matches %s', name => {
      expect(list.match(name).matched).toBe(true);
    });
    const no = row.no ?? [];
    if (no.length > 0) {
      it.each(no)('does not match %s', name => {
        expect(list.match(name).matched).toBe(false);
      });
    }
  });
});

describe('GitHub filter patterns: order and negation', () => {
  it('excludes with a later negation and says which pattern decided', () => {
    const list = PatternList.compile(
      ['releases/**', '!releases/**-alpha'],
      true,
    );
    expect(list.match('releases/10')).toEqual({
      matched: true,
      pattern: 'releases/**',
    });
    expect(list.match('releases/beta/mona').matched).toBe(true);
    expect(list.match('releases/10-alpha')).toEqual({
      matched: false,
      pattern: '!releases/**-alpha',
    });
    expect(list.match('releases/beta/3-alpha').matched).toBe(false);
  });

  it('re-includes with a positive pattern after a negation', () => {
    const list = PatternList.compile(
      ['sub-project/**', '!sub-project/docs/**', 'sub-project/docs/api.md'],
      true,
    );
    expect(list.match('sub-project/src/a.ts').matched).toBe(true);
    expect(list.match('sub-project/docs/guide.md').matched).toBe(false);
    expect(list.match('sub-project/docs/api.md').matched).toBe(true);
  });

  it('ignores a negation that comes before every positive pattern', () => {
    const list = PatternList.compile(['!main', '**'], true);
    expect(list.match('main')).toEqual({ matched: true, pattern: '**' });
  });

  it('refuses a list of negations only where a positive pattern is needed', () => {
    expect(() => PatternList.compile(['!main', '!dev'], true)).toThrow(
      /every pattern starts with '!'/,
    );
    // An -ignore list may un-ignore with negations alone: it then ignores nothing.
    expect(
      PatternList.compile(['!docs/keep.md'], false).match('docs/keep.md')
        .matched,
    ).toBe(false);
  });
});

describe('GitHub filter patterns: syntax', () => {
  it('matches special characters literally when escaped', () => {
    expect(compilePattern('release\\*').test('release*')).toBe(true);
    expect(compilePattern('release\\*').test('release1')).toBe(false);
    expect(compilePattern('c\\+\\+').test('c++')).toBe(true);
    expect(compilePattern('what\\?').test('what?')).toBe(true);
  });

  it('treats characters that are special to other globs as plain text', () => {
    expect(compilePattern('{a,b}').test('{a,b}')).toBe(true);
    expect(compilePattern('{a,b}').test('a')).toBe(false);
    expect(compilePattern('@(x)').test('@(x)')).toBe(true);
    expect(compilePattern('fix!').test('fix!')).toBe(true);
    expect(compilePattern('a.b').test('axb')).toBe(false);
  });

  it('repeats a [] class with + and ?', () => {
    expect(compilePattern('v[0-9]+').test('v123')).toBe(true);
    expect(compilePattern('v[0-9]+').test('v')).toBe(false);
    expect(compilePattern('v[0-9]?').test('v')).toBe(true);
    expect(compilePattern('[CB]at').test('Cat')).toBe(true);
    expect(compilePattern('[1-2]00').test('200')).toBe(true);
    expect(compilePattern('[1-2]00').test('300')).toBe(false);
  });

  it('lets ** inside a segment cross slashes', () => {
    const p = compilePattern('a**z');
    expect(p.test('az')).toBe(true);
    expect(p.test('a/b/c/z')).toBe(true);
    expect(p.test('a/b/c/y')).toBe(false);
  });

  it('does not let * cross a slash nor a trailing slash match', () => {
    expect(compilePattern('feature/*').test('feature/a/b')).toBe(false);
    expect(compilePattern('main').test('main/')).toBe(false);
  });

  it.each([
    ['', /empty/],
    ['!', /'!' alone/],
    ['*?', /'\?' at position 2 with no character/],
    ['+x', /'\+' at position 1/],
    ['v[0-9', /bad \[\] class at position 2/],
    ['v[^0-9]', /bad \[\] class/],
    ['x\\', /lone \\/],
    ['[z-a]', /the range z-a is backwards/],
  ])('refuses %j', (pattern, message) => {
    expect(() => compilePattern(pattern)).toThrow(FilterPatternError);
    expect(() => compilePattern(pattern)).toThrow(message);
  });
});

describe('GitHub filter patterns: characters and classes', () => {
  it('lets many ** inside segments cross slashes', () => {
    const p = compilePattern('a**b**c**d**e**f**g');
    expect(p.test('abcdefg')).toBe(true);
    expect(p.test('a/b/x/c/d/e/f/g')).toBe(true);
    expect(p.test('a/b/c/d/e/f')).toBe(false);
  });

  it('reads a - in a [] class as a range only between letters or digits', () => {
    const p = compilePattern('[.-_]');
    expect(p.test('-')).toBe(true);
    expect(p.test('_')).toBe(true);
    expect(p.test('A')).toBe(false);
    expect(p.test('/')).toBe(false);
    expect(compilePattern('[a-c-e]+').test('a-ce')).toBe(true);
    expect(compilePattern('[a-c-e]+').test('d')).toBe(false);
  });

  it('repeats a whole character outside the basic plane', () => {
    expect(compilePattern('\u{1F680}?x').test('x')).toBe(true);
    expect(compilePattern('\u{1F680}+x').test('\u{1F680}\u{1F680}x')).toBe(
      true,
    );
    expect(compilePattern('*').test('\u{1F680}')).toBe(true);
  });
});

/**
 * Patterns that a backtracking engine takes exponential time on. Each test
 * finishing at all shows that matching stays linear; durations are not
 * asserted.
 */
describe('GitHub filter patterns: hostile patterns match in linear time', () => {
  const x40 = 'x'.repeat(40);
  const a40 = 'a'.repeat(40);
  const max = FILTER_PATTERN_LIMITS.valueLength;
  const cases: [string, string, string, boolean][] = [
    ['x+ run', `${'x+'.repeat(20)}y`, x40, false],
    ['x+ run', `${'x+'.repeat(20)}y`, `${x40}y`, true],
    ['x+ run', `${'x+'.repeat(20)}y`, 'x'.repeat(max), false],
    ['*a run', `${'*a'.repeat(12)}*b`, a40, false],
    ['*a run', `${'*a'.repeat(12)}*b`, `${'a'.repeat(max - 1)}b`, true],
    ['*a run', `${'*a'.repeat(12)}*b`, 'a'.repeat(max), false],
    ['[a-z]+ run', `${'[a-z]+'.repeat(20)}0`, a40, false],
    ['[a-z]+ run', `${'[a-z]+'.repeat(20)}0`, `${a40}0`, true],
    ['[a-z]+ run', `${'[a-z]+'.repeat(20)}0`, 'a'.repeat(max), false],
    ['x? run', `${'x?'.repeat(40)}${x40}`, x40, true],
    ['x? run', `${'x?'.repeat(40)}${x40}y`, 'x'.repeat(max), false],
    ['**a run', `${'**a'.repeat(30)}b`, 'a'.repeat(max), false],
    ['**a run', `${'**a'.repeat(30)}b`, `${'a/'.repeat(29)}ab`, true],
    ['*/** run', `${'*/**/'.repeat(30)}z`, 'a/'.repeat(max / 2), false],
    ['*/** run', `${'*/**/'.repeat(30)}z`, `${'a/'.repeat(30)}z`, true],
    ['*/** run', `${'*/**/'.repeat(30)}z`, `${'a/'.repeat(29)}z`, false],
    ['**/* mix', `${'**/*a*'.repeat(20)}!`, 'a/'.repeat(max / 2), false],
    ['**/* mix', `${'**/*a*'.repeat(20)}!`, `${'ba/'.repeat(20)}!`, false],
    ['**/* mix', `${'**/*a*'.repeat(20)}!`, `${'/ba'.repeat(20)}!`, true],
    ['[]+** mix', `${'*[a-z]+**x?'.repeat(20)}!`, 'ab/'.repeat(1365), false],
  ];

  it.each(cases)('%s, case %#', (_name, pattern, value, expected) => {
    // Whatever the pattern, an answer, however long the value (a budget
    // larger than one event's, so that the work is what is tested).
    expect(compilePattern(pattern).test(value, new MatchBudget(1e9))).toBe(
      expected,
    );
  });

  it('matches a value against a list of as many patterns as allowed', () => {
    const last = FILTER_PATTERN_LIMITS.listSize - 1;
    const patterns = Array.from({ length: last + 1 }, (_, i) =>
      i === 50 ? 'x+y' : `${'*x'.repeat(12)}*${i}`,
    );
    patterns[last] = `!${'x+'.repeat(20)}z`;
    const list = PatternList.compile(patterns, true);
    const roomy = () => new MatchBudget(100_000_000);
    expect(list.match(`${'x'.repeat(max - 1)}y`, roomy())).toEqual({
      matched: true,
      pattern: 'x+y',
    });
    expect(list.match('x'.repeat(max), roomy()).matched).toBe(false);
    expect(list.match(`${'x'.repeat(max - 1)}z`, roomy())).toEqual({
      matched: false,
      pattern: patterns[last],
    });
  });

  it("stops once an event's budget is spent, however the work is split", () => {
    const list = PatternList.compile([`${'*x'.repeat(12)}*y`], true);
    const budget = new MatchBudget(10_000);
    // Each match of a 200-character value spends at most 200 x the states.
    let matched = 0;
    expect(() => {
      for (;;) {
        list.match('x'.repeat(200), budget);
        matched++;
      }
    }).toThrow(FilterBudgetError);
    expect(matched).toBeGreaterThan(0);
    expect(matched).toBeLessThan(10_000 / 200);
    expect(() => list.match('x', budget)).toThrow(
      'matching the filters needs more than the 10000 steps allowed for one event',
    );
    expect(budget.spent).toBeGreaterThan(10_000);
    // A fresh budget per event by default.
    expect(list.match(`${'x'.repeat(12)}y`).matched).toBe(true);
  });
});

describe('GitHub filter patterns: limits', () => {
  const { patternLength, listSize, valueLength } = FILTER_PATTERN_LIMITS;

  it('refuses a pattern longer than the limit and names it', () => {
    expect(() => compilePattern('a'.repeat(patternLength))).not.toThrow();
    for (const long of [
      'a'.repeat(patternLength + 1),
      `!${'a'.repeat(patternLength)}`,
    ]) {
      expect(() => compilePattern(long)).toThrow(FilterPatternError);
      expect(() => compilePattern(long)).toThrow(
        `a pattern of ${
          patternLength + 1
        } characters is longer than the ${patternLength} allowed`,
      );
    }
    expect(patternLength).toBe(256);
  });

  it('refuses a list longer than the limit and names it', () => {
    expect(() =>
      PatternList.compile(Array(listSize).fill('main'), true),
    ).not.toThrow();
    const tooMany = () =>
      PatternList.compile(Array(listSize + 1).fill('main'), true);
    expect(tooMany).toThrow(FilterPatternError);
    expect(tooMany).toThrow(
      `the list has ${
        listSize + 1
      } patterns, more than the ${listSize} allowed`,
    );
    expect(listSize).toBe(100);
  });

  it('refuses to match a value longer than the limit, with an error that says so', () => {
    const list = PatternList.compile(['**'], true);
    expect(list.match('a'.repeat(valueLength)).matched).toBe(true);
    const long = 'a'.repeat(valueLength + 1);
    expect(() => list.match(long)).toThrow(FilterValueError);
    expect(() => list.match(long)).toThrow(
      `a value of ${
        valueLength + 1
      } characters is longer than the ${valueLength} that filter patterns are matched against`,
    );
    expect(() => compilePattern('**').test(long)).toThrow(FilterValueError);
    expect(valueLength).toBe(4096);
  });
});
