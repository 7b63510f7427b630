import { TRIGGER_ANNOTATION_LIMIT } from '../triggers/parseTriggers';
import { explainPipelines, TRIGGER_ANNOTATIONS_PER_EVENT } from './explain';

const pipelineRun = (on: string | undefined, name = 'x') =>
  [
    'apiVersion: tekton.dev/v1',
    'kind: PipelineRun',
    'metadata:',
    `  generateName: ${name}-`,
    ...(on === undefined
      ? []
      : [
          '  annotations:',
          '    pipeline-portal.io/on: |',
          ...on.split('\n').map(l => `      ${l}`),
        ]),
    'spec:',
    '  pipelineRef:',
    '    name: build',
  ].join('\n');

const mainPush = { name: 'push' as const, ref: 'refs/heads/main' };

describe('explainPipelines', () => {
  it('explains every pipeline file in path order with the rule that decided', () => {
    const result = explainPipelines(
      [
        {
          path: '.tekton/ci.yaml',
          content: pipelineRun('push:\n  branches-ignore: [main]'),
        },
        {
          path: '.tekton/build.yaml',
          content: pipelineRun('push:\n  branches: [main]'),
        },
        {
          path: '.tekton/cd.yml',
          content: pipelineRun("push:\n  tags: ['v*']"),
        },
      ],
      mainPush,
    );
    expect(result).toEqual([
      {
        file: '.tekton/build.yaml',
        pipeline: 'build',
        wouldRun: true,
        rule: 'push.branches: main matched refs/heads/main',
      },
      {
        file: '.tekton/cd.yml',
        pipeline: 'cd',
        wouldRun: false,
        rule: 'push: only tag filters are set, so the branch push refs/heads/main does not run',
      },
      {
        file: '.tekton/ci.yaml',
        pipeline: 'ci',
        wouldRun: false,
        rule: 'push.branches-ignore: main matched refs/heads/main',
      },
    ]);
  });

  it('fails only the broken files, each with why', () => {
    const good = { path: '.tekton/build.yaml', content: pipelineRun('push') };
    const result = explainPipelines(
      [
        good,
        {
          path: '.tekton/a-yaml.yaml',
          content: 'kind: PipelineRun\nmetadata: [',
        },
        {
          path: '.tekton/b-task.yaml',
          content:
            'apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: t}\nspec: {}',
        },
        {
          path: '.tekton/c-annotation.yaml',
          content: pipelineRun(
            'push:\n  branches: [main]\n  branches-ignore: [dev]',
          ),
        },
        {
          path: '.tekton/d-beta.yaml',
          content: pipelineRun('push').replace(
            'tekton.dev/v1',
            'tekton.dev/v1beta1',
          ),
        },
        { path: '.tekton/e-list.yaml', content: '- a\n- b' },
        {
          path: '.tekton/f-two.yaml',
          content: `${pipelineRun('push')}\n---\n${pipelineRun('push')}`,
        },
        { path: '.tekton/G_Bad.yaml', content: pipelineRun('push') },
      ],
      mainPush,
    );
    const byFile = Object.fromEntries(result.map(r => [r.file, r]));
    expect(byFile['.tekton/build.yaml']).toEqual({
      file: '.tekton/build.yaml',
      pipeline: 'build',
      wouldRun: true,
      rule: 'push: any branch (refs/heads/main)',
    });
    const broken = result.filter(r => r.file !== good.path);
    expect(broken.map(r => [r.wouldRun, r.rule])).toEqual(
      broken.map(() => [false, 'the file is broken']),
    );
    expect(byFile['.tekton/a-yaml.yaml'].error).toMatch(
      /^YAML error: .*line 2/,
    );
    expect(byFile['.tekton/b-task.yaml'].error).toBe(
      'not a PipelineRun: kind is "Task"',
    );
    expect(byFile['.tekton/c-annotation.yaml'].error).toBe(
      "pipeline-portal.io/on: push.branches: branches and branches-ignore cannot both be set for one event (as on GitHub); use branches with '!' patterns to exclude",
    );
    expect(byFile['.tekton/d-beta.yaml'].error).toBe(
      'apiVersion is "tekton.dev/v1beta1", expected tekton.dev/v1',
    );
    expect(byFile['.tekton/e-list.yaml'].error).toBe(
      'not a PipelineRun: the file is not a YAML mapping',
    );
    expect(byFile['.tekton/f-two.yaml'].error).toMatch(
      /^YAML error: .*multiple documents/,
    );
    expect(byFile['.tekton/G_Bad.yaml'].error).toMatch(
      /the file name 'G_Bad' must be a DNS label/,
    );
  });

  it('says when a PipelineRun declares no trigger', () => {
    expect(
      explainPipelines(
        [{ path: '.tekton/manual.yaml', content: pipelineRun(undefined) }],
        mainPush,
      ),
    ).toEqual([
      {
        file: '.tekton/manual.yaml',
        pipeline: 'manual',
        wouldRun: false,
        rule: 'no pipeline-portal.io/on annotation',
      },
    ]);
  });

  it('refuses a PipelineRun with both or neither pipelineRef and pipelineSpec, and a non-string annotation', () => {
    const neither = pipelineRun('push').replace(
      '  pipelineRef:\n    name: build',
      '  params: []',
    );
    const notString = pipelineRun(undefined)
      .replace('spec:', 'metadata2: {}\nspec:')
      .replace(
        '  generateName: x-',
        '  generateName: x-\n  annotations:\n    pipeline-portal.io/on: [push]',
      );
    const [a, b] = explainPipelines(
      [
        { path: '.tekton/a.yaml', content: neither },
        { path: '.tekton/b.yaml', content: notString },
      ],
      mainPush,
    );
    expect(a.error).toBe(
      'spec must have exactly one of pipelineRef and pipelineSpec',
    );
    expect(b.error).toMatch(
      /pipeline-portal\.io\/on must be a string holding YAML/,
    );
  });

  it('leaves files that are not YAML out', () => {
    expect(
      explainPipelines(
        [{ path: '.tekton/README.md', content: '# pipelines' }],
        mainPush,
      ),
    ).toEqual([]);
  });

  it("bounds one event's work: a long annotation, annotations beyond the event's share, and matching beyond its budget fail their files only", () => {
    const branches = (n: number, length: number) =>
      `push:\n  branches: [${Array.from(
        { length: n },
        (_, i) => `'${'*a'.repeat(length / 2)}${i}'`,
      ).join(', ')}]`;
    // One annotation over the limit.
    const long = branches(40, 120);
    expect(long.length).toBeGreaterThan(TRIGGER_ANNOTATION_LIMIT);
    // Several under it whose sum is over the event's share.
    const fat = branches(12, 120);
    expect(fat.length).toBeLessThan(TRIGGER_ANNOTATION_LIMIT);
    const count = Math.ceil(TRIGGER_ANNOTATIONS_PER_EVENT / fat.length) + 1;
    const files = [
      { path: '.tekton/a-long.yaml', content: pipelineRun(long, 'long') },
      ...Array.from({ length: count }, (_, i) => ({
        path: `.tekton/b-fat-${i}.yaml`,
        content: pipelineRun(fat, `fat-${i}`),
      })),
      {
        path: '.tekton/z-build.yaml',
        content: pipelineRun('push:\n  branches: [main]', 'build'),
      },
    ];
    const result = explainPipelines(files, {
      name: 'push',
      ref: `refs/heads/${'a'.repeat(200)}`,
    });
    // The block scalar keeps its final newline.
    expect(result[0].error).toContain(
      `the annotation has ${
        long.length + 1
      } characters, more than the ${TRIGGER_ANNOTATION_LIMIT} allowed`,
    );
    // The fat files spend the matching budget before the event's share of
    // annotations: each says which limit it met, none throws.
    const errors = result.slice(1, -1).map(r => r.error ?? r.rule);
    expect(errors.some(e => e.includes('steps allowed for one event'))).toBe(
      true,
    );
    expect(
      errors.some(e =>
        e.includes(
          `add up to more than the ${TRIGGER_ANNOTATIONS_PER_EVENT} characters`,
        ),
      ),
    ).toBe(true);
    expect(result.every(r => !r.wouldRun)).toBe(true);
  });
});
