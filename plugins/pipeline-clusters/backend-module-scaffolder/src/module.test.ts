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
  'pipeline:cluster:update',
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
  'update-cluster': {
    cluster: 'resource:default/payments-prod',
    change: 'scale',
    pool: 'default',
    minSize: 2,
    maxSize: 6,
    desiredSize: 4,
  },
};

/** A field each template's form must refuse, with a value it must refuse. */
const BROKEN: Record<string, Record<string, unknown>> = {
  'kubernetes-cluster': { name: 'Not A Name' },
  'import-cluster': { name: 'Not A Name' },
  'team-namespace': { namespace: 'Not A Name' },
  'update-cluster': { pool: 'Not A Pool' },
};

const readTemplate = (name: string) =>
  yaml.parse(
    fs.readFileSync(path.join(TEMPLATES, name, 'template.yaml'), 'utf8'),
  );

/** Whether every page of a template's form accepts an answer. */
function accepts(template: any, answer: Record<string, unknown>) {
  const validator = new Validator();
  return (template.spec.parameters as any[]).every(
    page => validator.validate(answer, page).valid,
  );
}

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
    const update = actions.find(a => a.id === 'pipeline:cluster:update') as any;
    expect(update.schema.input.required).toEqual(['name']);
    expect(
      Object.keys(update.schema.input.properties.nodePools.properties),
    ).toEqual(['change', 'add', 'remove']);
    expect(Object.keys(update.schema.output.properties)).toEqual(
      expect.arrayContaining(['revision', 'phase']),
    );
    const wait = actions.find(a => a.id === 'pipeline:cluster:wait') as any;
    expect(wait.schema.input.properties.timeoutSeconds).toMatchObject({
      maximum: 7200,
      default: 1800,
    });
  });

  it('has a sample answer for every cluster and namespace template in the repository', () => {
    // Spotguides use pipeline:namespace:create too; their own suite covers them.
    const all = fs
      .readdirSync(TEMPLATES)
      .filter(dir => fs.existsSync(path.join(TEMPLATES, dir, 'template.yaml')))
      .filter(dir => readTemplate(dir).spec.type.startsWith('kubernetes-'))
      .filter(dir =>
        readTemplate(dir).spec.steps.some((s: any) =>
          s.action.startsWith('pipeline:'),
        ),
      );
    expect(Object.keys(SAMPLES).sort()).toEqual(all.sort());
  });

  it('offers every cluster template in the catalog of app-config.yaml', () => {
    const config = yaml.parse(
      fs.readFileSync(path.join(TEMPLATES, '../app-config.yaml'), 'utf8'),
    );
    const targets = config.catalog.locations.map((l: any) => l.target);
    for (const name of Object.keys(SAMPLES)) {
      expect(targets).toContain(`../../templates/${name}/template.yaml`);
    }
  });

  describe.each(Object.keys(SAMPLES))('template %s', name => {
    const template = readTemplate(name);

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
      expect(accepts(template, SAMPLES[name])).toBe(true);
      expect(accepts(template, { ...SAMPLES[name], ...BROKEN[name] })).toBe(
        false,
      );
      const first = template.spec.parameters[0].required[0];
      const { [first]: _dropped, ...missing } = SAMPLES[name];
      expect(accepts(template, missing)).toBe(false);
    });
  });

  it('asks update-cluster for either a pool size or a version, and runs the matching step', () => {
    const template = readTemplate('update-cluster');
    const cluster = 'resource:default/payments-prod';
    expect(
      accepts(template, {
        cluster,
        change: 'upgrade',
        kubernetesVersion: '1.33',
      }),
    ).toBe(true);
    expect(accepts(template, { cluster, change: 'upgrade' })).toBe(false);
    expect(
      accepts(template, { cluster, change: 'scale', pool: 'default' }),
    ).toBe(false);
    const ifOf = (id: string) =>
      template.spec.steps.find((s: any) => s.id === id).if;
    expect(ifOf('scale')).toBe("${{ parameters.change === 'scale' }}");
    expect(ifOf('upgrade')).toBe("${{ parameters.change === 'upgrade' }}");
  });

  it('keeps the kubeconfig out of the import parameters', () => {
    const template = readTemplate('import-cluster');
    expect(template.spec.parameters[0].properties.kubeconfig['ui:field']).toBe(
      'Secret',
    );
    const importStep = template.spec.steps.find(
      (s: any) => s.action === 'pipeline:cluster:import',
    );
    expect(importStep.input.kubeconfig).toBe('${{ secrets.kubeconfig }}');
  });
});
