import fs from 'node:fs';
import path from 'node:path';
import yaml from 'yaml';
import { Validator } from 'jsonschema';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import { templateEntityV1beta3Validator } from '@backstage/plugin-scaffolder-common';
import pipelineClustersModule from '.';

const OWN_ACTIONS = [
  'pipeline:cluster:create',
  'pipeline:cluster:import',
  'pipeline:cluster:delete',
  'pipeline:cluster:wait',
  'pipeline:namespace:create',
];

const TEMPLATES = path.resolve(__dirname, '../../../../templates');

/** A valid answer to each template's form, as a user would submit it. */
const SAMPLES: Record<string, Record<string, unknown>> = {
  'kubernetes-cluster': {
    name: 'payments-prod',
    owner: 'group:default/payments',
    distribution: 'eks',
    region: 'eu-west-1',
    kubernetesVersion: '1.33',
    credential: 'payments-aws',
    machineType: 'm5.large',
    minSize: 1,
    maxSize: 3,
  },
  'import-cluster': {
    name: 'onprem',
    owner: 'group:default/platform',
    kubeconfig: '********',
  },
  'team-namespace': {
    cluster: 'resource:default/payments-prod',
    namespace: 'payments',
    team: 'group:default/payments',
    cpu: '4',
    memory: '8Gi',
    pods: 50,
  },
};

type ActionInfo = { id: string; schema?: { input?: { required?: string[] } } };

describe('scaffolder module pipeline-clusters', () => {
  let actions: ActionInfo[];
  let stop: () => Promise<void>;

  beforeAll(async () => {
    const backend = await startTestBackend({
      features: [
        scaffolderPlugin,
        pipelineClustersModule,
        mockServices.rootConfig.factory({
          data: { backend: { baseUrl: 'http://localhost:7007' } },
        }),
      ],
    });
    stop = () => backend.stop();
    const { port } = backend.server.address() as { port: number };
    const res = await fetch(
      `http://localhost:${port}/api/scaffolder/v2/actions`,
      { headers: { Authorization: mockCredentials.user.header() } },
    );
    if (!res.ok) throw new Error(`listing actions: ${res.status}`);
    actions = await res.json();
  });
  afterAll(() => stop?.());

  it('registers every action, with its schema and examples', () => {
    const own = actions.filter(a => a.id.startsWith('pipeline:'));
    expect(own.map(a => a.id).sort()).toEqual([...OWN_ACTIONS].sort());
    const create = actions.find(a => a.id === 'pipeline:cluster:create') as any;
    expect(create.schema.input.required).toEqual(
      expect.arrayContaining(['name', 'owner', 'distribution', 'nodePools']),
    );
    expect(create.schema.output.properties).toHaveProperty('entityRef');
    expect(create.examples.length).toBeGreaterThan(0);
    const wait = actions.find(a => a.id === 'pipeline:cluster:wait') as any;
    expect(wait.schema.input.properties.timeoutSeconds).toMatchObject({
      maximum: 7200,
      default: 1800,
    });
  });

  describe.each(Object.keys(SAMPLES))('template %s', name => {
    const template = yaml.parse(
      fs.readFileSync(path.join(TEMPLATES, name, 'template.yaml'), 'utf8'),
    );

    it('is a valid Template entity', async () => {
      await expect(
        templateEntityV1beta3Validator.check(template),
      ).resolves.toBe(true);
    });

    it('only uses actions the scaffolder serves, with their required inputs', () => {
      for (const step of template.spec.steps) {
        const action = actions.find(a => a.id === step.action);
        expect(action).toBeDefined();
        for (const field of action!.schema?.input?.required ?? []) {
          expect(step.input).toHaveProperty(field);
        }
      }
      expect(
        template.spec.steps.some((s: any) => s.action.startsWith('pipeline:')),
      ).toBe(true);
    });

    it('accepts a sample answer and refuses a broken one', () => {
      const validator = new Validator();
      const pages: any[] = template.spec.parameters;
      const check = (answer: Record<string, unknown>) =>
        pages.every(page => validator.validate(answer, page).valid);
      expect(check(SAMPLES[name])).toBe(true);
      expect(
        check({
          ...SAMPLES[name],
          name: 'Not A Name',
          namespace: 'Not A Name',
        }),
      ).toBe(false);
      const { [pages[0].required[0]]: _dropped, ...missing } = SAMPLES[name];
      expect(check(missing)).toBe(false);
    });
  });

  it('keeps the kubeconfig out of the import parameters', () => {
    const template = yaml.parse(
      fs.readFileSync(
        path.join(TEMPLATES, 'import-cluster', 'template.yaml'),
        'utf8',
      ),
    );
    expect(template.spec.parameters[0].properties.kubeconfig['ui:field']).toBe(
      'Secret',
    );
    const importStep = template.spec.steps.find(
      (s: any) => s.action === 'pipeline:cluster:import',
    );
    expect(importStep.input.kubeconfig).toBe('${{ secrets.kubeconfig }}');
  });
});
