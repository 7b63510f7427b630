import type { TriggerEvent } from '../triggerTypes';
import { decide } from './decide';
import { parseTriggers } from './parseTriggers';
import { FILTER_PATTERN_LIMITS } from './patterns';

const run = (annotation: string, event: TriggerEvent) =>
  decide(parseTriggers(annotation), event);

const push = (
  ref: string,
  extra: Partial<TriggerEvent> = {},
): TriggerEvent => ({
  name: 'push',
  ref,
  ...extra,
});
const pr = (
  baseRef: string,
  action = 'opened',
  extra: Partial<TriggerEvent> = {},
): TriggerEvent => ({
  name: 'pull_request',
  baseRef,
  action,
  ...extra,
});

describe('decide: events', () => {
  it('does not run for an event the pipeline has no trigger for', () => {
    expect(run('push', pr('main'))).toEqual({
      wouldRun: false,
      rule: 'no pull_request trigger',
    });
    expect(run('pull_request', push('refs/heads/main')).rule).toBe(
      'no push trigger',
    );
    expect(run('push', { name: 'deployment' }).rule).toBe(
      'no deployment trigger',
    );
  });

  it('runs a push trigger without filters on any branch or tag', () => {
    expect(run('push', push('refs/heads/x'))).toEqual({
      wouldRun: true,
      rule: 'push: any branch (refs/heads/x)',
    });
    expect(run('push', push('refs/tags/v1')).wouldRun).toBe(true);
  });

  it('runs any deployment with deployment: {}', () => {
    expect(run('deployment: {}', { name: 'deployment', ref: 'main' })).toEqual({
      wouldRun: true,
      rule: 'deployment: any deployment',
    });
  });
});

describe('decide: branches and tags of a push', () => {
  it('says which branch pattern matched the ref', () => {
    expect(run('push:\n  branches: [main]', push('refs/heads/main'))).toEqual({
      wouldRun: true,
      rule: 'push.branches: main matched refs/heads/main',
    });
    expect(run('push:\n  branches: [main]', push('refs/heads/dev'))).toEqual({
      wouldRun: false,
      rule: 'push.branches: no pattern matched refs/heads/dev',
    });
  });

  it('names the negation that excluded a branch', () => {
    const on = "push:\n  branches: ['releases/**', '!releases/**-alpha']";
    expect(run(on, push('refs/heads/releases/1-alpha'))).toEqual({
      wouldRun: false,
      rule: 'push.branches: !releases/**-alpha excluded refs/heads/releases/1-alpha',
    });
  });

  it('stops at branches-ignore and lets other branches through', () => {
    const on = 'push:\n  branches-ignore: [main]';
    expect(run(on, push('refs/heads/main'))).toEqual({
      wouldRun: false,
      rule: 'push.branches-ignore: main matched refs/heads/main',
    });
    expect(run(on, push('refs/heads/feature/x'))).toEqual({
      wouldRun: true,
      rule: 'push.branches-ignore: refs/heads/feature/x not ignored',
    });
  });

  it('does not run tag pushes when only branch filters are set, as on GitHub', () => {
    for (const on of [
      'push:\n  branches: [main]',
      'push:\n  branches-ignore: [main]',
    ]) {
      const d = run(on, push('refs/tags/v1.2.3'));
      expect(d.wouldRun).toBe(false);
      expect(d.rule).toBe(
        'push: only branch filters are set, so the tag push refs/tags/v1.2.3 does not run',
      );
    }
  });

  it('does not run branch pushes when only tag filters are set, as on GitHub', () => {
    const d = run("push:\n  tags: ['v*']", push('refs/heads/main'));
    expect(d).toEqual({
      wouldRun: false,
      rule: 'push: only tag filters are set, so the branch push refs/heads/main does not run',
    });
  });

  it('matches tags against tags and branches against branches when both are set', () => {
    const on = "push:\n  branches: [main]\n  tags: ['v*']";
    expect(run(on, push('refs/tags/v1.2.3')).rule).toBe(
      'push.tags: v* matched refs/tags/v1.2.3',
    );
    expect(run(on, push('refs/tags/x1')).wouldRun).toBe(false);
    expect(run(on, push('refs/heads/main')).wouldRun).toBe(true);
    expect(run(on, push('refs/heads/dev')).wouldRun).toBe(false);
  });

  it('applies tags-ignore to tag pushes', () => {
    const on = "push:\n  tags-ignore: ['v0.*']";
    expect(run(on, push('refs/tags/v0.1')).rule).toBe(
      'push.tags-ignore: v0.* matched refs/tags/v0.1',
    );
    expect(run(on, push('refs/tags/v1.0')).wouldRun).toBe(true);
  });

  it('does not match refs that are neither branches nor tags', () => {
    expect(
      run('push:\n  branches: [main]', push('refs/pull/1/head')).rule,
    ).toBe('push: refs/pull/1/head is neither a branch nor a tag');
    expect(run('push:\n  branches: [main]', { name: 'push' }).wouldRun).toBe(
      false,
    );
  });
});

describe('decide: paths', () => {
  const on = "push:\n  branches: [main]\n  paths: ['src/**', '!src/**/*.md']";

  it('runs when a changed file matches and the branch matches too', () => {
    expect(
      run(
        on,
        push('refs/heads/main', { changedFiles: ['README.md', 'src/a.ts'] }),
      ),
    ).toEqual({
      wouldRun: true,
      rule: 'push.branches: main matched refs/heads/main; push.paths: src/** matched src/a.ts',
    });
  });

  it('does not run when no changed file matches', () => {
    expect(
      run(
        on,
        push('refs/heads/main', { changedFiles: ['README.md', 'src/doc.md'] }),
      ),
    ).toEqual({
      wouldRun: false,
      rule: 'push.paths: no changed file matched',
    });
    expect(
      run(on, push('refs/heads/main', { changedFiles: [] })).wouldRun,
    ).toBe(false);
  });

  it('needs both the branch and the paths filter to pass', () => {
    expect(
      run(on, push('refs/heads/dev', { changedFiles: ['src/a.ts'] })).rule,
    ).toBe('push.branches: no pattern matched refs/heads/dev');
  });

  it('lets paths filters pass when the changed files are unknown', () => {
    const d = run(on, push('refs/heads/main'));
    expect(d.wouldRun).toBe(true);
    expect(d.rule).toContain('push.paths: changed files unknown');
  });

  it('runs with paths-ignore unless every changed file is ignored', () => {
    const ignoreDocs = "push:\n  paths-ignore: ['docs/**', '**.md']";
    expect(
      run(
        ignoreDocs,
        push('refs/heads/x', { changedFiles: ['docs/a.txt', 'README.md'] }),
      ),
    ).toEqual({
      wouldRun: false,
      rule: 'push.paths-ignore: every changed file is ignored',
    });
    expect(
      run(
        ignoreDocs,
        push('refs/heads/x', { changedFiles: ['docs/a.txt', 'src/a.ts'] }),
      ),
    ).toEqual({
      wouldRun: true,
      rule: 'push.paths-ignore: src/a.ts not ignored',
    });
  });

  it('does not evaluate paths for tag pushes, as on GitHub', () => {
    const tagged = "push:\n  tags: ['v*']\n  paths: ['src/**']";
    expect(
      run(tagged, push('refs/tags/v1', { changedFiles: ['README.md'] }))
        .wouldRun,
    ).toBe(true);
  });

  it('filters a pull request by its paths', () => {
    const onPr = "pull_request:\n  paths: ['src/**']";
    expect(
      run(onPr, pr('main', 'opened', { changedFiles: ['docs/a.md'] })).rule,
    ).toBe('pull_request.paths: no changed file matched');
  });
});

describe('decide: pull requests', () => {
  it('runs the default activity types and no others', () => {
    for (const action of ['opened', 'synchronize', 'reopened']) {
      expect(run('pull_request', pr('main', action)).wouldRun).toBe(true);
    }
    expect(run('pull_request', pr('main', 'closed'))).toEqual({
      wouldRun: false,
      rule: 'pull_request.types (default): closed is not one of opened, synchronize, reopened',
    });
  });

  it('runs the activity types it lists', () => {
    const on = 'pull_request:\n  types: [closed]';
    expect(run(on, pr('main', 'closed')).wouldRun).toBe(true);
    expect(run(on, pr('main', 'opened')).rule).toBe(
      'pull_request.types: opened is not one of closed',
    );
  });

  it('matches branches against the base branch', () => {
    const on = "pull_request:\n  branches: ['releases/**']";
    expect(run(on, pr('releases/1.0'))).toEqual({
      wouldRun: true,
      rule: 'pull_request.branches: releases/** matched releases/1.0',
    });
    expect(run(on, pr('refs/heads/releases/1.0')).wouldRun).toBe(true);
    expect(run(on, pr('main')).rule).toBe(
      'pull_request.branches: no pattern matched main',
    );
    expect(run(on, { name: 'pull_request', action: 'opened' }).wouldRun).toBe(
      false,
    );
  });

  it('applies branches-ignore to the base branch', () => {
    const on = 'pull_request:\n  branches-ignore: [main]';
    expect(run(on, pr('main')).rule).toBe(
      'pull_request.branches-ignore: main matched main',
    );
    expect(run(on, pr('dev')).wouldRun).toBe(true);
  });
});

describe('decide: [skip ci]', () => {
  it.each([
    '[skip ci]',
    '[ci skip]',
    '[no ci]',
    '[skip actions]',
    '[actions skip]',
    '[Skip CI]',
  ])('skips pushes and pull requests for %s in the commit message', marker => {
    const message = `docs: typo ${marker}\n\nbody`;
    const d = run('[push, pull_request]', push('refs/heads/main', { message }));
    expect(d.wouldRun).toBe(false);
    expect(d.rule).toBe(`${marker.toLowerCase()} in the commit message`);
    expect(
      run('[push, pull_request]', pr('main', 'opened', { message })).wouldRun,
    ).toBe(false);
  });

  it('skips for a skip-checks: true trailer at the end of the message', () => {
    for (const message of [
      'fix\n\nskip-checks: true',
      'fix\n\nskip-checks:true\n',
    ]) {
      expect(run('push', push('refs/heads/x', { message }))).toEqual({
        wouldRun: false,
        rule: 'skip-checks: true trailer in the commit message',
      });
    }
    expect(
      run(
        'push',
        push('refs/heads/x', { message: 'skip-checks: true\n\nmore' }),
      ).wouldRun,
    ).toBe(true);
  });

  it('checks no activity type when the event has no action', () => {
    expect(
      run('pull_request:\n  types: [closed]', {
        name: 'pull_request',
        baseRef: 'main',
      }).wouldRun,
    ).toBe(true);
  });

  it('does not skip deployments and ignores other brackets', () => {
    expect(
      run('deployment', { name: 'deployment', message: '[skip ci]' }).wouldRun,
    ).toBe(true);
    expect(
      run('push', push('refs/heads/x', { message: '[skip] ci' })).wouldRun,
    ).toBe(true);
  });
});

describe("decide: the examples of GitHub's workflow syntax documentation", () => {
  it('branches and tags of a push', () => {
    const on = `push:
  branches: ['main', 'mona/octocat', 'releases/**']
  tags: ['v2', 'v1.*']`;
    for (const ref of [
      'refs/heads/main',
      'refs/heads/mona/octocat',
      'refs/heads/releases/10',
      'refs/tags/v2',
      'refs/tags/v1.9.1',
    ]) {
      expect({ ref, wouldRun: run(on, push(ref)).wouldRun }).toEqual({
        ref,
        wouldRun: true,
      });
    }
    for (const ref of ['refs/heads/mona', 'refs/tags/v3', 'refs/tags/v2.1']) {
      expect({ ref, wouldRun: run(on, push(ref)).wouldRun }).toEqual({
        ref,
        wouldRun: false,
      });
    }
  });

  it('branches-ignore and tags-ignore of a push', () => {
    const on = `push:
  branches-ignore: ['mona/octocat', 'releases/**-alpha']
  tags-ignore: ['v2', 'v1.*']`;
    expect(run(on, push('refs/heads/mona/octocat')).wouldRun).toBe(false);
    expect(run(on, push('refs/heads/releases/beta/3-alpha')).wouldRun).toBe(
      false,
    );
    expect(run(on, push('refs/heads/releases/10')).wouldRun).toBe(true);
    expect(run(on, push('refs/tags/v2')).wouldRun).toBe(false);
    expect(run(on, push('refs/tags/v1.9')).wouldRun).toBe(false);
    expect(run(on, push('refs/tags/v3')).wouldRun).toBe(true);
  });

  it('pull request branches with a negation', () => {
    const on = `pull_request:
  branches: ['releases/**', '!releases/**-alpha']`;
    expect(run(on, pr('releases/10')).wouldRun).toBe(true);
    expect(run(on, pr('releases/beta/mona')).wouldRun).toBe(true);
    expect(run(on, pr('releases/10-alpha')).wouldRun).toBe(false);
    expect(run(on, pr('releases/beta/3-alpha')).wouldRun).toBe(false);
  });

  it('paths, paths-ignore and paths with a negation', () => {
    const files = (...changedFiles: string[]) =>
      push('refs/heads/x', { changedFiles });
    expect(
      run("push:\n  paths: ['**.js']", files('a/b.js', 'c.md')).wouldRun,
    ).toBe(true);
    expect(run("push:\n  paths: ['**.js']", files('c.md')).wouldRun).toBe(
      false,
    );
    expect(
      run("push:\n  paths-ignore: ['docs/**']", files('docs/a.md')).wouldRun,
    ).toBe(false);
    expect(
      run("push:\n  paths-ignore: ['docs/**']", files('docs/a.md', 'src/a.ts'))
        .wouldRun,
    ).toBe(true);
    const sub = "push:\n  paths: ['sub-project/**', '!sub-project/docs/**']";
    expect(run(sub, files('sub-project/src/a.ts')).wouldRun).toBe(true);
    expect(run(sub, files('sub-project/docs/a.md')).wouldRun).toBe(false);
  });
});

describe('decide: values too long to match', () => {
  const max = FILTER_PATTERN_LIMITS.valueLength;
  const long = 'x'.repeat(max + 1);
  const why = `a value of ${
    max + 1
  } characters is longer than the ${max} that filter patterns are matched against`;

  it('does not run a push whose branch is too long to match, and says so', () => {
    const ref = `refs/heads/${long}`;
    const shown = `${ref.slice(0, 64)}...`;
    expect(run('push:\n  branches: ["**"]', push(ref))).toEqual({
      wouldRun: false,
      rule: `push.branches: ${shown} cannot be matched: ${why}`,
    });
    expect(run('push:\n  branches-ignore: [main]', push(ref))).toEqual({
      wouldRun: false,
      rule: `push.branches-ignore: ${shown} cannot be matched: ${why}`,
    });
    expect(
      run('push:\n  tags: ["v*"]', push(`refs/tags/${long}`)).rule,
    ).toMatch(/^push\.tags: refs\/tags\/x+\.\.\. cannot be matched: /);
  });

  it('does not run a pull request whose base branch is too long to match', () => {
    expect(run('pull_request:\n  branches: [main]', pr(long))).toEqual({
      wouldRun: false,
      rule: `pull_request.branches: ${long.slice(
        0,
        64,
      )}... cannot be matched: ${why}`,
    });
  });

  it('lets another changed file decide the paths filters, else says which file could not be matched', () => {
    const paths = 'push:\n  paths: ["docs/**"]';
    const ignored = 'push:\n  paths-ignore: ["docs/**"]';
    const files = (...changedFiles: string[]) =>
      push('refs/heads/main', { changedFiles });
    const cannot = `${long.slice(0, 64)}... cannot be matched: ${why}`;
    expect(run(paths, files(long, 'docs/a.md'))).toEqual({
      wouldRun: true,
      rule: 'push.paths: docs/** matched docs/a.md',
    });
    expect(run(paths, files('src/a.ts', long))).toEqual({
      wouldRun: false,
      rule: `push.paths: ${cannot}`,
    });
    expect(run(ignored, files(long, 'src/a.ts'))).toEqual({
      wouldRun: true,
      rule: 'push.paths-ignore: src/a.ts not ignored',
    });
    expect(run(ignored, files('docs/a.md', long))).toEqual({
      wouldRun: false,
      rule: `push.paths-ignore: ${cannot}`,
    });
  });
});
