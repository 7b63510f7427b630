// Test only: the project's tekton-lint runner, shared with the template tests.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import { tektonLint } from '@pipeline-portal/templates-test';
import { promises as fs, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import type { PipelineFile, RunContext, TriggerEvent } from '../triggerTypes';
import { explainPipelines } from './explain';
import { renderPipelineRun } from './render';

jest.setTimeout(60_000);

const ROOT = path.resolve(__dirname, '../../../../..');
const TEMPLATES = path.join(ROOT, 'templates');
const TASKS = path.join(ROOT, 'catalog/tekton-tasks');

/** What the scaffolder would fill in: every `${{ ... }}` the files use. */
const SCAFFOLDER_VALUES: Record<string, string> = {
  'values.name': 'shop',
  '(values.repoUrl | parseRepoUrl).owner': 'acme',
  'values.javaVersion': '21',
};

function scaffold(text: string, file: string): string {
  return text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_m, expr: string) => {
    if (!(expr in SCAFFOLDER_VALUES)) {
      throw new Error(`${file}: no sample value for \${{ ${expr} }}`);
    }
    return SCAFFOLDER_VALUES[expr];
  });
}

const spotguides = readdirSync(TEMPLATES).filter(t => {
  try {
    return readdirSync(path.join(TEMPLATES, t, 'skeleton/.tekton')).length > 0;
  } catch {
    return false;
  }
});

function pipelineFiles(spotguide: string): PipelineFile[] {
  const dir = path.join(TEMPLATES, spotguide, 'skeleton/.tekton');
  return readdirSync(dir).map(name => ({
    path: `.tekton/${name}`,
    content: scaffold(readFileSync(path.join(dir, name), 'utf8'), name),
  }));
}

const SHA = '4f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39';

const events: [string, TriggerEvent, string[]][] = [
  [
    'a push to a feature branch',
    { name: 'push', ref: 'refs/heads/feature/login' },
    ['ci'],
  ],
  ['a push to main', { name: 'push', ref: 'refs/heads/main' }, ['build']],
  [
    'a pull request to main',
    { name: 'pull_request', action: 'opened', baseRef: 'main' },
    ['ci'],
  ],
  [
    'a pull request update',
    { name: 'pull_request', action: 'synchronize', baseRef: 'main' },
    ['ci'],
  ],
  [
    'a closed pull request',
    { name: 'pull_request', action: 'closed', baseRef: 'main' },
    [],
  ],
  ['the v1.2.3 tag', { name: 'push', ref: 'refs/tags/v1.2.3' }, ['cd']],
  [
    'a tag that is not a version',
    { name: 'push', ref: 'refs/tags/nightly' },
    [],
  ],
  ['a deployment', { name: 'deployment', ref: SHA }, ['cd']],
  [
    'a push to main with [skip ci]',
    { name: 'push', ref: 'refs/heads/main', message: 'x [skip ci]' },
    [],
  ],
];

const contexts: Record<string, RunContext> = {
  ci: {
    repoUrl: 'https://github.com/acme/shop',
    repoOwner: 'acme',
    repoName: 'shop',
    revision: SHA,
    branch: 'feature/login',
    event: 'push',
  },
  build: {
    repoUrl: 'https://github.com/acme/shop',
    repoOwner: 'acme',
    repoName: 'shop',
    revision: SHA,
    branch: 'main',
    event: 'push',
  },
  cd: {
    repoUrl: 'https://github.com/acme/shop',
    repoOwner: 'acme',
    repoName: 'shop',
    revision: SHA,
    event: 'deployment',
    environment: 'production',
    deploymentId: 7,
  },
};

describe.each(spotguides)('the %s spotguide pipelines', spotguide => {
  const files = pipelineFiles(spotguide);

  it('are ci, build and cd, and none is broken', () => {
    const explained = explainPipelines(files, {
      name: 'push',
      ref: 'refs/heads/main',
    });
    expect(explained.map(e => [e.pipeline, e.error])).toEqual([
      ['build', undefined],
      ['cd', undefined],
      ['ci', undefined],
    ]);
  });

  it.each(events)('decide as meant for %s', (_what, event, expected) => {
    const explained = explainPipelines(files, event);
    expect(explained.filter(e => e.wouldRun).map(e => e.pipeline)).toEqual(
      expected,
    );
  });

  it('render Tekton v1 PipelineRuns that tekton-lint accepts', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rendered-runs-'));
    try {
      for (const file of files) {
        const pipeline = path.basename(file.path, '.yaml');
        const run = renderPipelineRun(file, contexts[pipeline]);
        expect(run).toMatchObject({
          apiVersion: 'tekton.dev/v1',
          kind: 'PipelineRun',
        });
        expect(run.metadata.name).toMatch(/^shop-[a-z]+-4f2a9c1-[0-9a-f]{10}$/);
        expect(run.metadata).not.toHaveProperty('generateName');
        expect(run.metadata.annotations).not.toHaveProperty(
          'pipeline-portal.io/on',
        );
        expect(JSON.stringify(run)).not.toMatch(/\{\{|\$\{\{/);
        // Every parameter the run passes is one its pipeline declares.
        const declared = run.spec.pipelineSpec.params.map((p: any) => p.name);
        for (const param of run.spec.params) {
          expect(declared).toContain(param.name);
          expect(typeof param.value).toBe('string');
        }
        await fs.writeFile(path.join(dir, `${pipeline}.yaml`), stringify(run));
      }
      const problems = await tektonLint([
        path.join(dir, '*.yaml'),
        path.join(TASKS, '*.yaml'),
      ]);
      expect(problems).toEqual([]);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

it('finds the four spotguides', () => {
  expect(spotguides.sort()).toEqual([
    'go-service',
    'nodejs-service',
    'spark-job',
    'spring-boot-service',
  ]);
});
