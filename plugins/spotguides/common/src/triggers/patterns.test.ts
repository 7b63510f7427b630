import { compilePattern, FilterPatternError, PatternList } from './patterns';

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
    ['a**b**c**d**e**f**g', /more than 5 \*\*/],
  ])('refuses %j', (pattern, message) => {
    expect(() => compilePattern(pattern)).toThrow(FilterPatternError);
    expect(() => compilePattern(pattern)).toThrow(message);
  });
});
