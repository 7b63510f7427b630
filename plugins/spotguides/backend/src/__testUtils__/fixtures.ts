import type { Entity } from '@backstage/catalog-model';

/** A `.tekton` file of the fixture repository. */
export const pipelineFile = (
  name: string,
  on: string,
) => `apiVersion: tekton.dev/v1
kind: PipelineRun
metadata:
  generateName: shop-${name}-
  annotations:
    pipeline-portal.io/on: |
${on
  .trim()
  .split('\n')
  .map(l => `      ${l}`)
  .join('\n')}
spec:
  pipelineRef:
    name: ${name}
  params:
    - name: repo-url
      value: '{{ repo_url }}'
    - name: revision
      value: '{{ revision }}'
    - name: ref
      value: '{{ branch }}{{ tag }}'
    - name: environment
      value: '{{ environment }}'
`;

/** The spotguide's three pipelines, as the templates declare them. */
export const TEKTON_FILES: Record<string, string> = {
  '.tekton/build.yaml': pipelineFile('build', 'push:\n  branches: [main]'),
  '.tekton/ci.yaml': pipelineFile(
    'ci',
    'push:\n  branches-ignore: [main]\npull_request:\n  branches: [main]',
  ),
  '.tekton/cd.yaml': pipelineFile(
    'cd',
    "push:\n  tags: ['v*']\ndeployment: {}",
  ),
};

export const OWNER = 'portal-org';
export const REPO = 'shop';
export const REPOSITORY = `${OWNER}/${REPO}`;
export const CLUSTER = 'dev';
export const NAMESPACE = 'team-a';
export const SECRET = 'webhook-s3cret';

export const TEAM = 'group:default/team-a';

/** Where the catalog read the component: `catalog-info.yaml` of the repository. */
export const locationIn = (host: string, repository = REPOSITORY) =>
  `url:http://${host}/${repository}/blob/main/catalog-info.yaml`;

/** The team namespace the portal created for the component's owner. */
export const teamNamespace = (name = NAMESPACE, owner = TEAM) => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: {
    name,
    labels: {
      'pipeline-portal.io/managed-by': 'pipeline-portal',
      'pipeline-portal.io/team': owner.replace(/^group:default\//, ''),
    },
    annotations: { 'pipeline-portal.io/owner': owner },
  },
});

export const component = (
  annotations: Record<string, string> = {},
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'shop',
    namespace: 'default',
    annotations: {
      'github.com/project-slug': REPOSITORY,
      'backstage.io/kubernetes-id': 'shop',
      'pipeline-portal.io/runtime-cluster': CLUSTER,
      'pipeline-portal.io/namespace': NAMESPACE,
      ...annotations,
    },
  },
  spec: {
    type: 'service',
    lifecycle: 'production',
    owner: TEAM,
  },
});
