import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import {
  listFiles,
  renderSkeleton,
  SkeletonValues,
  Spotguide,
  SPOTGUIDES,
  TEMPLATES_DIR,
} from './render';
import { tektonLint } from './tektonLint';

jest.setTimeout(120_000);

const TASKS_DIR = path.resolve(TEMPLATES_DIR, '../catalog/tekton-tasks');

/** The placeholders the trigger engine substitutes in a PipelineRun. */
const ENGINE_PLACEHOLDERS = new Set([
  'repo_url',
  'revision',
  'branch',
  'tag',
  'event',
  'pull_request',
  'environment',
  'repo_owner',
  'repo_name',
]);

/** Files each skeleton renders beside the shared ones. */
const APP_FILES: Record<Spotguide, string[]> = {
  'nodejs-service': [
    'package.json',
    'tsconfig.json',
    'src/app.ts',
    'src/app.test.ts',
    'src/index.ts',
  ],
  'spring-boot-service': [
    'build.gradle',
    'settings.gradle',
    'src/main/java/com/example/app/Application.java',
    'src/main/java/com/example/app/HelloController.java',
    'src/main/resources/application.yaml',
    'src/test/java/com/example/app/ApplicationTest.java',
    'src/test/java/com/example/app/HelloControllerTest.java',
  ],
  'go-service': ['go.mod', 'main.go', 'handler.go', 'handler_test.go'],
  'spark-job': [
    'build.gradle',
    'settings.gradle',
    'src/main/java/com/example/job/WordCountJob.java',
    'src/test/java/com/example/job/WordCountJobTest.java',
    'chart/templates/cronjob.yaml',
  ],
};

interface TemplateDoc {
  metadata: { name: string };
  spec: {
    parameters: Array<{ properties: Record<string, { default?: unknown }> }>;
    steps: Array<{
      id: string;
      action: string;
      input?: { values?: Record<string, string> };
    }>;
  };
}

async function readTemplate(spotguide: Spotguide): Promise<TemplateDoc> {
  return parse(
    await fs.readFile(
      path.join(TEMPLATES_DIR, spotguide, 'template.yaml'),
      'utf8',
    ),
  );
}

/** The fetch step's values for the parameters' defaults plus the given answers. */
async function valuesFor(spotguide: Spotguide): Promise<SkeletonValues> {
  const template = await readTemplate(spotguide);
  const defaults: Record<string, string> = {};
  for (const page of template.spec.parameters) {
    for (const [key, p] of Object.entries(page.properties)) {
      if (p.default !== undefined) defaults[key] = String(p.default);
    }
  }
  const values: SkeletonValues = {
    name: `${spotguide.split('-')[0]}-demo`,
    description: 'A demo of the spotguide',
    owner: 'group:default/payments',
    repoUrl: 'github.com?owner=payments&repo=demo',
    cluster: 'payments-prod',
    namespace: 'payments',
  };
  // Options the fetch step derives from parameters, computed as it does.
  const fetch = template.spec.steps.find(s => s.action === 'fetch:template')!;
  for (const key of Object.keys(fetch.input?.values ?? {})) {
    if (key in values) continue;
    if (key === 'javaPackagePath') {
      values[key] = defaults.javaPackage.replace(/\./g, '/');
    } else {
      values[key] = defaults[key];
    }
  }
  return values;
}

describe.each(SPOTGUIDES.map(s => [s]))('the %s spotguide', spotguide => {
  let dir: string;
  let files: string[];

  beforeAll(async () => {
    dir = await renderSkeleton(spotguide, await valuesFor(spotguide));
    files = await listFiles(dir);
  });
  afterAll(async () => {
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  const read = (file: string) => fs.readFile(path.join(dir, file), 'utf8');

  it('steps: render, team namespace if asked, binding checked on the server, repository, webhook, push, catalog', async () => {
    const template = await readTemplate(spotguide);
    expect(template.metadata.name).toBe(spotguide);
    expect(template.spec.steps.map(s => s.action)).toEqual([
      'fetch:template',
      'pipeline:namespace:create',
      'spotguides:repository:bind',
      'github:repo:create',
      'spotguides:webhook:create',
      'github:repo:push',
      'catalog:register',
    ]);
  });

  it('renders the app, its Dockerfile, Helm chart, catalog entity and three pipelines', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        ...APP_FILES[spotguide],
        'Dockerfile',
        'README.md',
        'catalog-info.yaml',
        'chart/Chart.yaml',
        'chart/values.yaml',
        'chart/values-stage.yaml',
        'chart/values-production.yaml',
        '.tekton/ci.yaml',
        '.tekton/build.yaml',
        '.tekton/cd.yaml',
      ]),
    );
  });

  it('leaves no template syntax behind', async () => {
    for (const file of files) {
      const text = await read(file);
      expect({ file, leftover: /\$\{\{|\{%|%\}/.test(text) }).toEqual({
        file,
        leftover: false,
      });
    }
  });

  it('carries the annotations the portal, the Kubernetes and the Tekton plugins read', async () => {
    const entity = parse(await read('catalog-info.yaml'));
    expect(entity).toMatchObject({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: `${spotguide.split('-')[0]}-demo`,
        annotations: {
          'github.com/project-slug': 'payments/demo',
          'backstage.io/kubernetes-id': `${spotguide.split('-')[0]}-demo`,
          'backstage.io/kubernetes-namespace': 'payments',
          'pipeline-portal.io/runtime-cluster': 'payments-prod',
          'pipeline-portal.io/namespace': 'payments',
          'tekton.dev/cicd': 'true',
        },
      },
      spec: { owner: 'group:default/payments' },
    });
  });

  it('renders a Helm chart named after the component', async () => {
    const chart = parse(await read('chart/Chart.yaml'));
    expect(chart).toMatchObject({
      apiVersion: 'v2',
      name: `${spotguide.split('-')[0]}-demo`,
    });
    expect(parse(await read('chart/values.yaml')).image.repository).toBe(
      `ghcr.io/payments/${spotguide.split('-')[0]}-demo`,
    );
  });

  it.each([
    ['ci', { push: { 'branches-ignore': ['main'] }, pull_request: {} }],
    ['build', { push: { branches: ['main'] } }],
    ['cd', { push: { tags: ['v*'] }, deployment: {} }],
  ])(
    '%s.yaml is a Tekton v1 PipelineRun template with its trigger annotation',
    async (pipeline, on) => {
      const text = await read(`.tekton/${pipeline}.yaml`);
      const docs = parseAllDocuments(text);
      expect(docs).toHaveLength(1);
      const run = docs[0].toJS();
      expect(run).toMatchObject({
        apiVersion: 'tekton.dev/v1',
        kind: 'PipelineRun',
        metadata: {
          generateName: `${spotguide.split('-')[0]}-demo-${pipeline}-`,
        },
      });
      expect(run.metadata.name).toBeUndefined();
      expect(
        parse(run.metadata.annotations['pipeline-portal.io/on']),
      ).toMatchObject(on);
      const placeholders = [...text.matchAll(/\{\{\s*([^}\s]+)\s*\}\}/g)].map(
        m => m[1],
      );
      expect(placeholders.length).toBeGreaterThan(0);
      expect(placeholders.filter(p => !ENGINE_PLACEHOLDERS.has(p))).toEqual([]);
    },
  );

  it('passes tekton-lint with the curated tasks it refers to', async () => {
    const problems = await tektonLint([
      path.join(dir, '.tekton/*.yaml'),
      path.join(TASKS_DIR, '*.yaml'),
    ]);
    expect(problems).toEqual([]);
  });
});

describe('the curated Tekton tasks', () => {
  it('are Tekton v1 Tasks named after their files and pass tekton-lint', async () => {
    const files = (await fs.readdir(TASKS_DIR)).filter(f =>
      f.endsWith('.yaml'),
    );
    expect(files.sort()).toEqual(
      expect.arrayContaining([
        'build-container-image.yaml',
        'build-gradle.yaml',
        'git-clone.yaml',
        'github-create-deployment-status.yaml',
        'github-create-deployment.yaml',
        'golang-build.yaml',
        'golang-test.yaml',
        'helm-upgrade-from-source.yaml',
        'npm.yaml',
        'send-slack-message.yaml',
      ]),
    );
    for (const file of files) {
      const task = parse(await fs.readFile(path.join(TASKS_DIR, file), 'utf8'));
      expect({
        file,
        apiVersion: task.apiVersion,
        kind: task.kind,
        name: task.metadata.name,
      }).toEqual({
        file,
        apiVersion: 'tekton.dev/v1',
        kind: 'Task',
        name: file.replace(/\.yaml$/, ''),
      });
    }
    expect(await tektonLint([path.join(TASKS_DIR, '*.yaml')])).toEqual([]);
  });

  it('tekton-lint reports a broken task (the check can fail)', async () => {
    const broken = await fs.mkdtemp(
      path.join(TEMPLATES_DIR, '../.tekton-lint-'),
    );
    try {
      const text = await fs.readFile(
        path.join(TASKS_DIR, 'git-clone.yaml'),
        'utf8',
      );
      await fs.writeFile(
        path.join(broken, 'git-clone.yaml'),
        text.replace('$(params.depth)', '$(params.deepth)'),
      );
      const problems = await tektonLint([path.join(broken, '*.yaml')]);
      expect(problems.map(p => p.rule)).toEqual(
        expect.arrayContaining(['no-undefined-param', 'no-unused-param']),
      );
    } finally {
      await fs.rm(broken, { recursive: true, force: true });
    }
  });
});
