import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { GROUP, PLURAL_SERVICE_INSTANCES } from './manifestFacts';

const ROOT = resolve(__dirname, '../../../../..');
const docs = parseAllDocuments(
  readFileSync(resolve(ROOT, 'deploy/operator/operator.yaml'), 'utf8'),
).map(d => d.toJS());
const byKind = (kind: string) => docs.find(d => d.kind === kind);

describe('the operator manifests', () => {
  it('run the entry point that exists, as the service account the RBAC binds', () => {
    const deployment = byKind('Deployment');
    const pod = deployment.spec.template.spec;
    const script = pod.containers[0].command.find((c: string) =>
      c.endsWith('.mjs'),
    );
    expect(existsSync(resolve(ROOT, script))).toBe(true);
    const binding = byKind('ClusterRoleBinding');
    expect(binding.subjects[0]).toMatchObject({
      name: pod.serviceAccountName,
      namespace: deployment.metadata.namespace,
    });
    expect(byKind('ServiceAccount').metadata.name).toBe(pod.serviceAccountName);
  });

  it('grant what the reconciler writes: instances and their status, Flux sources and releases, Secrets, Jobs', () => {
    const rules: Array<{ apiGroups: string[]; resources: string[] }> =
      byKind('ClusterRole').rules;
    const allows = (group: string, resource: string) =>
      rules.some(
        r => r.apiGroups.includes(group) && r.resources.includes(resource),
      );
    expect(allows(GROUP, PLURAL_SERVICE_INSTANCES)).toBe(true);
    expect(allows(GROUP, `${PLURAL_SERVICE_INSTANCES}/status`)).toBe(true);
    expect(allows('helm.toolkit.fluxcd.io', 'helmreleases')).toBe(true);
    expect(allows('source.toolkit.fluxcd.io', 'helmrepositories')).toBe(true);
    expect(allows('source.toolkit.fluxcd.io', 'ocirepositories')).toBe(true);
    expect(allows('', 'secrets')).toBe(true);
    expect(allows('batch', 'jobs')).toBe(true);
  });

  it('names the group and plural the shipped CRD defines', () => {
    const crd = parseAllDocuments(
      readFileSync(
        resolve(
          __dirname,
          '../../crds/serviceinstances.integratedservices.pipeline-portal.io.yaml',
        ),
        'utf8',
      ),
    )[0].toJS();
    expect(crd.spec.group).toBe(GROUP);
    expect(crd.spec.names.plural).toBe(PLURAL_SERVICE_INSTANCES);
  });
});
