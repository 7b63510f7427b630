import { KubernetesObject } from '@kubernetes/client-node';
import { KYVERNO_CRDS } from './kyverno';
import { Clients, failure, startWithClients } from './__testUtils__/clients';

const policy = (
  name: string,
  validate: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): KubernetesObject =>
  ({
    apiVersion: 'kyverno.io/v1',
    kind: 'Policy',
    metadata: { name, namespace: 'default' },
    spec: {
      rules: [
        {
          name: 'rule',
          match: { any: [{ resources: { kinds: ['Pod'] } }] },
          validate,
          ...extra,
        },
      ],
    },
  } as KubernetesObject);

describe('kube double with KYVERNO_CRDS', () => {
  let c: Clients;
  beforeAll(async () => {
    c = await startWithClients({ crds: KYVERNO_CRDS });
  });
  afterAll(() => c.api.close());

  it('serves Policy and ClusterPolicy of kyverno.io/v1', async () => {
    const kinds = c.api
      .list('apiextensions.k8s.io/v1', 'CustomResourceDefinition')
      .map((crd: any) => `${crd.spec.group}/${crd.spec.names.kind}`)
      .sort();
    expect(kinds).toEqual(['kyverno.io/ClusterPolicy', 'kyverno.io/Policy']);
    const stored = (await c.objects.create(
      policy('ok', {
        failureAction: 'Enforce',
        message: 'no',
        pattern: { spec: { '=(hostNetwork)': 'false' } },
      }),
    )) as any;
    expect(stored.spec.rules[0].validate.pattern).toEqual({
      spec: { '=(hostNetwork)': 'false' },
    });
  });

  it('refuses what the CRD schema refuses, naming the field', async () => {
    const bad = await failure(
      c.objects.create(
        policy('bad-action', { failureAction: 'Block', message: 'no' }),
      ),
    );
    expect(bad.code).toBe(422);
    expect(bad.status.details.causes.map((x: any) => x.field)).toContain(
      'spec.rules[0].validate.failureAction',
    );
  });

  it('prunes fields the schema does not know, as Kyverno’s API server does', async () => {
    const stored = (await c.objects.create(
      policy(
        'pruned',
        { failureAction: 'Audit', message: 'm', pattern: { spec: {} } },
        { bogus: true },
      ),
    )) as any;
    expect(stored.spec.rules[0]).not.toHaveProperty('bogus');
  });
});
