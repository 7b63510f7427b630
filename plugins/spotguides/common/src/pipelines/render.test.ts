import { InputError } from '@backstage/errors';
import { pipelineRunName } from './names';
import { renderPipelineRun } from './render';

const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';

const file = {
  path: '.tekton/build.yaml',
  content: `
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata:
  generateName: shop-build-
  namespace: somewhere
  labels:
    team: payments
  annotations:
    pipeline-portal.io/on: |
      push:
        branches: [main]
    note: keep me
spec:
  params:
    - name: repo-url
      value: '{{ repo_url }}'
    - name: revision
      value: '{{revision}}'
    - name: repository
      value: '{{ repo_owner }}/{{ repo_name }}'
    - name: ref
      value: '{{ branch }}{{ tag }}'
    - name: context
      value: '{{ event }} {{ pull_request }} {{ environment }}'
    - name: untouched
      value: 'helm {{ .Values.x }} $(params.revision)'
  pipelineRef:
    name: build
`,
};

const ctx = {
  repoUrl: 'https://github.com/acme/shop',
  repoOwner: 'acme',
  repoName: 'shop',
  revision: SHA,
  branch: 'main',
  event: 'push',
};

const params = (run: Record<string, any>) =>
  Object.fromEntries(run.spec.params.map((p: any) => [p.name, p.value]));

describe('renderPipelineRun', () => {
  it('replaces placeholders and sets the name, labels and annotations', () => {
    const run = renderPipelineRun(file, ctx);
    expect(params(run)).toEqual({
      'repo-url': 'https://github.com/acme/shop',
      revision: SHA,
      repository: 'acme/shop',
      ref: 'main',
      context: 'push  ',
      untouched: 'helm {{ .Values.x }} $(params.revision)',
    });
    expect(run.apiVersion).toBe('tekton.dev/v1');
    expect(run.kind).toBe('PipelineRun');
    expect(run.spec.pipelineRef).toEqual({ name: 'build' });
    expect(run.metadata).toEqual({
      name: pipelineRunName({
        base: 'shop-build-',
        repository: 'acme/shop',
        pipeline: 'build',
        sha: SHA,
        event: 'push',
        ref: 'refs/heads/main',
      }),
      labels: {
        team: 'payments',
        'app.kubernetes.io/managed-by': 'pipeline-portal',
        'pipeline-portal.io/pipeline': 'build',
      },
      annotations: {
        note: 'keep me',
        'pipeline-portal.io/repository': 'acme/shop',
        'pipeline-portal.io/sha': SHA,
        'pipeline-portal.io/ref': 'refs/heads/main',
        'pipeline-portal.io/event': 'push',
        'pipeline-portal.io/status-context': 'pipeline-portal/build',
      },
    });
    expect(run.metadata.name).toMatch(/^shop-build-a1b2c3d-[0-9a-f]{10}$/);
  });

  it('fills tag, pull request and environment, and names each event differently', () => {
    const tagRun = renderPipelineRun(file, {
      ...ctx,
      branch: undefined,
      tag: 'v1.2.3',
    });
    expect(params(tagRun).ref).toBe('v1.2.3');
    expect(tagRun.metadata.annotations['pipeline-portal.io/ref']).toBe(
      'refs/tags/v1.2.3',
    );

    const prRun = renderPipelineRun(file, {
      ...ctx,
      event: 'pull_request',
      pullRequest: 12,
    });
    expect(params(prRun).context).toBe('pull_request 12 ');

    const deployRun = renderPipelineRun(file, {
      ...ctx,
      branch: undefined,
      event: 'deployment',
      environment: 'stage',
      deploymentId: 99,
    });
    expect(params(deployRun).context).toBe('deployment  stage');
    expect(deployRun.metadata.annotations).not.toHaveProperty(
      'pipeline-portal.io/ref',
    );

    const names = new Set(
      [tagRun, prRun, deployRun, renderPipelineRun(file, ctx)].map(
        r => r.metadata.name,
      ),
    );
    expect(names.size).toBe(4);
  });

  it('gives a retry the same name', () => {
    expect(renderPipelineRun(file, ctx).metadata.name).toBe(
      renderPipelineRun(file, { ...ctx }).metadata.name,
    );
  });

  it('cannot change the YAML structure through a placeholder value', () => {
    const run = renderPipelineRun(file, {
      ...ctx,
      branch: "x'\n  injected: true",
    });
    expect(params(run).ref).toBe("x'\n  injected: true");
    expect(run.spec).not.toHaveProperty('injected');
  });

  it('refuses an unknown placeholder, saying where it is', () => {
    const bad = {
      ...file,
      content: file.content.replace('{{ event }}', '{{ commit_message }}'),
    };
    expect(() => renderPipelineRun(bad, ctx)).toThrow(InputError);
    expect(() => renderPipelineRun(bad, ctx)).toThrow(
      /unknown placeholder \{\{ commit_message \}\} at \/spec\/params\/4\/value \(known: repo_url, repo_owner, repo_name, revision, branch, tag, event, pull_request, environment\)/,
    );
  });

  it('replaces placeholders in generateName and labels too', () => {
    const named = {
      ...file,
      content: file.content
        .replace(
          'generateName: shop-build-',
          "generateName: '{{ repo_name }}-b-'",
        )
        .replace('team: payments', "team: '{{ repo_owner }}'"),
    };
    const run = renderPipelineRun(named, ctx);
    expect(run.metadata.name).toMatch(/^shop-b-a1b2c3d-/);
    expect(run.metadata.labels.team).toBe('acme');
  });

  it('refuses a broken file and a context without a commit', () => {
    expect(() =>
      renderPipelineRun({ path: '.tekton/x.yaml', content: 'kind: Task' }, ctx),
    ).toThrow('not a PipelineRun: kind is "Task"');
    expect(() => renderPipelineRun(file, { ...ctx, revision: 'main' })).toThrow(
      "revision 'main' is not a commit sha",
    );
    expect(() => renderPipelineRun(file, { ...ctx, repoName: '' })).toThrow(
      'the repository owner and name are required',
    );
  });
});
