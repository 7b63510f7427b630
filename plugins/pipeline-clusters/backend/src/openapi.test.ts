import SwaggerParser from '@apidevtools/swagger-parser';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import {
  clusterSpecSchema,
  createCredentialSchema,
  createNamespaceSchema,
  DEFAULT_OFFERED_VERSIONS,
  importClusterSchema,
  listClustersQuerySchema,
  patchClusterSchema,
  PipelineClustersClient,
  secretValueSchemas,
  taintSchema,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import Ajv2020, { AnySchema } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import request from 'supertest';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { secretStoreConfig } from './__testUtils__/fixtures';
import { readKubeconfigPolicy } from './kubeconfig/acceptKubeconfig';
import { pipelineClustersPlugin } from './plugin';
import { createRouter } from './router';
import { spec as generatedSpec } from './schema/openapi/generated/router';
import { buildKubeconfig } from './service/kubeconfigSecrets';
import { ClusterService } from './service/ClusterService';
import { toApi } from './service/toApi';
import { ClusterStore } from './store/ClusterStore';

type Json = Record<string, any>;

const SPEC_FILE = resolve(__dirname, 'schema/openapi.yaml');
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

const rawSpec = (): Json => parseYaml(readFileSync(SPEC_FILE, 'utf8'));

/** The spec as validated and dereferenced by swagger-parser. */
let spec: Json;

const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);
// OpenAPI's own keyword; oneOf with `kind` consts already validates.
ajv.addVocabulary(['discriminator']);

function validatorOf(schema: AnySchema) {
  const validate = ajv.compile(schema);
  return (value: unknown) => {
    const ok = validate(value) as boolean;
    return { ok, errors: ajv.errorsText(validate.errors) };
  };
}

function expectValid(schema: AnySchema, value: unknown) {
  const { ok, errors } = validatorOf(schema)(value);
  if (!ok) {
    throw new Error(
      `does not match the schema: ${errors}\n${JSON.stringify(value)}`,
    );
  }
}

const schemaOf = (name: string): AnySchema => {
  const schema = spec.components.schemas[name];
  if (!schema) throw new Error(`no schema ${name} in openapi.yaml`);
  return schema;
};

/** path+method pairs of the spec, as `GET /clusters/{name}`. */
function specRoutes(doc: Json): string[] {
  return Object.entries(doc.paths as Json).flatMap(([path, item]) =>
    Object.keys(item)
      .filter(key => METHODS.includes(key))
      .map(method => `${method.toUpperCase()} ${path}`),
  );
}

/** path+method pairs the express router registers, `:name` as `{name}`. */
async function routerRoutes(): Promise<string[]> {
  const router = await createRouter({
    logger: mockServices.logger.mock(),
    database: mockServices.database.mock(),
    httpAuth: mockServices.httpAuth(),
    authorization: {} as any,
    service: {} as any,
    credentials: {} as any,
    namespaces: {} as any,
    serviceAccess: {} as any,
  });
  const routes: string[] = [];
  for (const layer of (router as any).stack) {
    // The spec itself, served by the generated router from the spec.
    if (!layer.route || layer.route.path === '/openapi.json') continue;
    const path = String(layer.route.path).replace(/:(\w+)/g, '{$1}');
    for (const [method, on] of Object.entries(layer.route.methods)) {
      if (on && method !== '_all')
        routes.push(`${method.toUpperCase()} ${path}`);
    }
  }
  return routes;
}

/** The keys and required keys of a zod object, as JSON Schema would have them. */
function zodKeys(schema: z.ZodObject) {
  const keys = Object.keys(schema.shape).sort();
  const required = keys.filter(
    key => !(schema.shape[key] as z.ZodType).safeParse(undefined).success,
  );
  return { keys, required };
}

function specKeys(schema: Json) {
  return {
    keys: Object.keys(schema.properties).sort(),
    required: [...(schema.required ?? [])].sort(),
  };
}

const validCluster = () => ({
  name: 'prod-1',
  owner: 'payments',
  distribution: 'eks',
  region: 'eu-west-1',
  kubernetesVersion: '1.32',
  credential: 'aws-main',
  nodePools: [
    { name: 'default', machineType: 'm5.large', minSize: 1, maxSize: 3 },
  ],
});

const cluster = (patch: Json) => ({ ...validCluster(), ...patch });
const pool = (patch: Json) =>
  cluster({ nodePools: [{ ...validCluster().nodePools[0], ...patch }] });

const googleKey = JSON.stringify({
  type: 'service_account',
  project_id: 'payments-prod',
  private_key: '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n',
  client_email: 'portal@payments-prod.iam.gserviceaccount.com',
});

const credentialValues: Record<string, Json> = {
  aws: {
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  },
  azure: {
    tenantId: '0b6f1c3e-5d2a-4c8e-9f10-2a3b4c5d6e7f',
    subscriptionId: '1c7a2d4f-6e3b-4d9f-a021-3b4c5d6e7f80',
    clientId: '2d8b3e5a-7f4c-4ea0-b132-4c5d6e7f8091',
    clientSecret: 'a-client-secret',
  },
  google: { serviceAccountKey: googleKey },
  alibaba: { accessKeyId: 'LTAI5tExample', accessKeySecret: 'secret' },
  oracle: {
    tenancy: 'ocid1.tenancy.oc1..aaaa',
    user: 'ocid1.user.oc1..aaaa',
    fingerprint: '12:34:56:78:9a:bc:de:f0:12:34:56:78:9a:bc:de:f0',
    privateKey: '-----BEGIN RSA PRIVATE KEY-----\nMIIE\n',
    region: 'eu-frankfurt-1',
  },
  digitalocean: { token: 'dop_v1_0123456789abcdef' },
};

const credential = (kind: string, value: Json = credentialValues[kind]) => ({
  name: `${kind}-main`,
  owner: 'group:default/payments',
  kind,
  value,
});

beforeAll(async () => {
  spec = (await SwaggerParser.validate(rawSpec() as any)) as Json;
});

describe('openapi.yaml', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const doc = rawSpec();
    expect(doc.openapi).toMatch(/^3\.1\./);
    // swagger-parser refuses a broken document, e.g. a dangling $ref.
    doc.paths['/settings'].get.responses['200'].content[
      'application/json'
    ].schema = { $ref: '#/components/schemas/Nope' };
    await expect(SwaggerParser.validate(doc as any)).rejects.toThrow(/Nope/);
  });

  it('is what the generated router serves and validates against', () => {
    // After editing openapi.yaml: npm run schema:generate
    expect(generatedSpec).toEqual(rawSpec());
  });

  it('describes exactly the routes the router registers', async () => {
    const registered = await routerRoutes();
    expect(registered).toContain('GET /clusters/{name}');
    expect(new Set(registered).size).toBe(registered.length);
    expect(specRoutes(rawSpec()).sort()).toEqual(registered.sort());
  });

  it('names each operation after the typed client method that calls it', () => {
    const ids = specRoutes(spec).map(route => {
      const [method, path] = route.split(' ');
      return spec.paths[path][method.toLowerCase()].operationId as string;
    });
    const methods = Object.getOwnPropertyNames(
      PipelineClustersClient.prototype,
    ).filter(m => !['constructor', 'json', 'request'].includes(m));
    expect(ids.filter(id => id !== 'getHealth').sort()).toEqual(methods.sort());
  });

  it('needs a token everywhere but /health, and a service token for /access', () => {
    expect(spec.security).toEqual([{ backstageToken: [] }]);
    expect(spec.components.securitySchemes.backstageToken).toMatchObject({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    });
    expect(spec.paths['/health'].get.security).toEqual([]);
    const access = spec.paths['/clusters/{name}/access'].get;
    expect(access.security).toEqual([{ backstageServiceToken: [] }]);
    expect(access['x-service-to-service-only']).toBe(true);
    const unsecured = specRoutes(spec).filter(route => {
      const [method, path] = route.split(' ');
      const security = spec.paths[path][method.toLowerCase()].security;
      return security && security.length === 0;
    });
    expect(unsecured).toEqual(['GET /health']);
  });

  describe('request schemas follow the zod schemas', () => {
    it('have the same fields, required alike', () => {
      const pairs: Array<[string, z.ZodObject]> = [
        ['CreateClusterRequest', clusterSpecSchema],
        ['ImportClusterRequest', importClusterSchema],
        ['UpdateClusterRequest', patchClusterSchema as z.ZodObject],
        ['CreateNamespaceRequest', createNamespaceSchema],
        ['Taint', taintSchema],
        ['AwsCredentialValue', secretValueSchemas.aws],
        ['AzureCredentialValue', secretValueSchemas.azure],
        ['GoogleCredentialValue', secretValueSchemas.google],
        ['AlibabaCredentialValue', secretValueSchemas.alibaba],
        ['OracleCredentialValue', secretValueSchemas.oracle],
        ['DigitaloceanCredentialValue', secretValueSchemas.digitalocean],
      ];
      for (const [name, zodSchema] of pairs) {
        expect({ name, ...specKeys(spec.components.schemas[name]) }).toEqual({
          name,
          ...zodKeys(zodSchema),
        });
      }
      const kinds = spec.components.schemas.CreateCredentialRequest.oneOf.map(
        (s: Json) => s.properties.kind.const,
      );
      expect(kinds).toEqual(
        createCredentialSchema.options.map(o => o.shape.kind.value),
      );
    });

    it('have the query parameters of the zod query schemas', () => {
      const params = (path: string, method: string) =>
        Object.fromEntries(
          (spec.paths[path][method].parameters ?? [])
            .filter((p: Json) => p.in === 'query')
            .map((p: Json) => [p.name, !!p.required]),
        );
      const { keys, required } = zodKeys(listClustersQuerySchema);
      expect(params('/clusters', 'get')).toEqual(
        Object.fromEntries(keys.map(k => [k, required.includes(k)])),
      );
      expect(params('/credentials', 'get')).toEqual({ owner: false });
      expect(params('/credentials/{name}', 'delete')).toEqual({ owner: true });
    });

    const cases: Array<[string, z.ZodType, string, unknown]> = [];
    const add = (
      label: string,
      zodSchema: z.ZodType,
      name: string,
      value: unknown,
    ) => cases.push([label, zodSchema, name, value]);
    const createCluster = (label: string, value: unknown) =>
      add(
        `create cluster: ${label}`,
        clusterSpecSchema,
        'CreateClusterRequest',
        value,
      );

    createCluster('valid', validCluster());
    createCluster(
      'mixed-case owner ref',
      cluster({ owner: 'Group:Default/Payments' }),
    );
    createCluster(
      'v-prefixed version',
      cluster({ kubernetesVersion: 'v1.33' }),
    );
    createCluster(
      'labels and taints',
      pool({
        desiredSize: 2,
        labels: { 'example.com/tier': 'web', team: '' },
        taints: [{ key: 'gpu', value: 'true', effect: 'NoSchedule' }],
      }),
    );
    createCluster('reserved name', cluster({ name: 'import' }));
    createCluster('41 character name', cluster({ name: 'a'.repeat(41) }));
    createCluster('upper-case name', cluster({ name: 'Prod' }));
    createCluster('owner with two slashes', cluster({ owner: 'a/b/c' }));
    createCluster('import distribution', cluster({ distribution: 'import' }));
    createCluster('patch version', cluster({ kubernetesVersion: '1.32.1' }));
    createCluster('region starting with -', cluster({ region: '-west' }));
    createCluster('65 character region', cluster({ region: 'r'.repeat(65) }));
    createCluster('no node pool', cluster({ nodePools: [] }));
    createCluster(
      '21 node pools',
      cluster({
        nodePools: Array.from({ length: 21 }, (_, i) => ({
          ...validCluster().nodePools[0],
          name: `pool${i}`,
        })),
      }),
    );
    createCluster('31 character pool name', pool({ name: 'p'.repeat(31) }));
    createCluster('blank machine type', pool({ machineType: '   ' }));
    createCluster('maxSize 0', pool({ minSize: 0, maxSize: 0 }));
    createCluster('minSize 1001', pool({ minSize: 1001, maxSize: 1000 }));
    createCluster('fractional size', pool({ minSize: 1.5 }));
    createCluster('unknown pool field', pool({ spot: true }));
    createCluster(
      'bad taint effect',
      pool({ taints: [{ key: 'a', effect: 'Never' }] }),
    );
    createCluster('bad label key', pool({ labels: { '-x': 'y' } }));
    const keys: Array<[string, string]> = [
      ['prefixed key', 'example.com/tier'],
      ['63 character name', 'n'.repeat(63)],
      ['64 character name', 'n'.repeat(64)],
      ['253 character prefix', `${'p'.repeat(253)}/n`],
      ['254 character prefix', `${'p'.repeat(254)}/n`],
      ['317 character key', `${'p.'.repeat(126)}p/${'n'.repeat(63)}`],
      ['318 character key', `${'p.'.repeat(126)}pq/${'n'.repeat(63)}`],
      ['upper-case prefix', 'Example.com/tier'],
      ['prefix ending in -', 'example-/tier'],
      ['empty prefix part', 'example..com/tier'],
      ['two slashes', 'a/b/c'],
      ['empty name', 'example.com/'],
      ['name ending in .', 'tier.'],
      ['name with _ and .', 'a_b.c-d'],
      ['prefix with runs of -', 'a--b.c/d'],
    ];
    for (const [label, key] of keys) {
      createCluster(`label key: ${label}`, pool({ labels: { [key]: 'v' } }));
      createCluster(
        `taint key: ${label}`,
        pool({ taints: [{ key, effect: 'NoSchedule' }] }),
      );
    }
    for (const [label, value] of [
      ['empty', ''],
      ['63 characters', 'v'.repeat(63)],
      ['64 characters', 'v'.repeat(64)],
      ['starting with -', '-v'],
      ['with a space', 'a b'],
    ]) {
      createCluster(`label value ${label}`, pool({ labels: { k: value } }));
      createCluster(
        `taint value ${label}`,
        pool({ taints: [{ key: 'k', value, effect: 'NoSchedule' }] }),
      );
    }
    createCluster(
      'empty taint value on eks',
      pool({ taints: [{ key: 'k', value: '', effect: 'NoSchedule' }] }),
    );
    createCluster(
      '64 character label value',
      pool({ labels: { a: 'v'.repeat(64) } }),
    );
    createCluster('unknown field', cluster({ zone: 'a' }));
    createCluster('bad credential name', cluster({ credential: 'AWS' }));
    const { credential: _unused, ...noCredential } = validCluster();
    createCluster('missing credential', noCredential);

    const importCase = (label: string, value: unknown) =>
      add(
        `import: ${label}`,
        importClusterSchema,
        'ImportClusterRequest',
        value,
      );
    importCase('valid', {
      name: 'onprem',
      owner: 'payments',
      kubeconfig: 'apiVersion: v1',
    });
    importCase('empty kubeconfig', {
      name: 'onprem',
      owner: 'payments',
      kubeconfig: '',
    });
    importCase('oversized kubeconfig', {
      name: 'onprem',
      owner: 'payments',
      kubeconfig: 'x'.repeat(256 * 1024 + 1),
    });
    importCase('reserved name', {
      name: 'new',
      owner: 'payments',
      kubeconfig: 'x',
    });

    const patchCase = (label: string, value: unknown) =>
      add(`patch: ${label}`, patchClusterSchema, 'UpdateClusterRequest', value);
    patchCase('revision only', { revision: 0 });
    patchCase('upgrade', { revision: 3, kubernetesVersion: '1.33' });
    patchCase('node pools', {
      revision: 3,
      nodePools: validCluster().nodePools,
    });
    patchCase('negative revision', { revision: -1 });
    patchCase('fractional revision', { revision: 1.5 });
    patchCase('no revision', { kubernetesVersion: '1.33' });
    patchCase('unknown field', { revision: 1, region: 'x' });

    const credentialCase = (label: string, value: unknown) =>
      add(
        `credential: ${label}`,
        createCredentialSchema,
        'CreateCredentialRequest',
        value,
      );
    for (const kind of Object.keys(credentialValues)) {
      credentialCase(`valid ${kind}`, credential(kind));
    }
    credentialCase(
      'aws with session token',
      credential('aws', {
        ...credentialValues.aws,
        sessionToken: 'FwoGZXIvYXdzEJr',
      }),
    );
    credentialCase(
      'bad aws key id',
      credential('aws', {
        ...credentialValues.aws,
        accessKeyId: 'XKIAIOSFODNN7EXAMPLE',
      }),
    );
    credentialCase(
      'short aws secret',
      credential('aws', {
        ...credentialValues.aws,
        secretAccessKey: 'short',
      }),
    );
    credentialCase(
      'bad azure guid',
      credential('azure', {
        ...credentialValues.azure,
        tenantId: 'not-a-guid',
      }),
    );
    credentialCase(
      'bad oracle fingerprint',
      credential('oracle', {
        ...credentialValues.oracle,
        fingerprint: '12:34',
      }),
    );
    credentialCase(
      'oracle key not PEM',
      credential('oracle', {
        ...credentialValues.oracle,
        privateKey: 'key',
      }),
    );
    credentialCase(
      'short digitalocean token',
      credential('digitalocean', { token: 'dop' }),
    );
    credentialCase(
      'missing alibaba secret',
      credential('alibaba', { accessKeyId: 'LTAI' }),
    );
    credentialCase('value of another kind', {
      ...credential('azure'),
      value: credentialValues.aws,
    });
    credentialCase(
      'unknown value field',
      credential('digitalocean', {
        ...credentialValues.digitalocean,
        extra: 'x',
      }),
    );
    credentialCase(
      'kubeconfig kind',
      credential('kubeconfig', { kubeconfig: 'x' }),
    );
    credentialCase('unknown kind', credential('vsphere', { user: 'x' }));

    const namespaceCase = (label: string, value: unknown) =>
      add(
        `namespace: ${label}`,
        createNamespaceSchema,
        'CreateNamespaceRequest',
        value,
      );
    namespaceCase('defaults', { namespace: 'payments-dev', team: 'payments' });
    namespaceCase('quota and limits', {
      namespace: 'payments-dev',
      team: 'group:default/payments',
      quota: { cpu: '1.5', memory: '2Gi', pods: 10 },
      limits: { defaultCpu: '250m', defaultRequestMemory: '64Mi' },
    });
    namespaceCase('bad quantity', {
      namespace: 'payments-dev',
      team: 'payments',
      quota: { cpu: '2 cores' },
    });
    namespaceCase('zero pods', {
      namespace: 'payments-dev',
      team: 'payments',
      quota: { pods: 0 },
    });
    namespaceCase('unknown limit', {
      namespace: 'payments-dev',
      team: 'payments',
      limits: { maxCpu: '1' },
    });
    namespaceCase('bad namespace', { namespace: 'Payments', team: 'payments' });

    it.each(cases)(
      '%s: the spec agrees with zod',
      (_label, zodSchema, name, value) => {
        const expected = zodSchema.safeParse(value).success;
        expect(validatorOf(schemaOf(name))(value).ok).toBe(expected);
      },
    );

    it('refuses alike what zod refuses in the cluster list query', () => {
      const coercing = new Ajv2020({ strict: true, coerceTypes: true });
      const parameters = spec.paths['/clusters'].get.parameters as Json[];
      const validate = coercing.compile({
        type: 'object',
        additionalProperties: false,
        properties: Object.fromEntries(parameters.map(p => [p.name, p.schema])),
      });
      const queries: Json[] = [
        {},
        { limit: '500', phase: 'Running', distribution: 'import' },
        { owner: 'payments', search: 'prod', cursor: 'YS10d28' },
        { limit: '0' },
        { limit: '501' },
        { limit: 'ten' },
        { phase: 'running' },
        { distribution: 'openshift' },
        { search: 's'.repeat(101) },
        { cursor: 'c'.repeat(201) },
        { owner: 'a/b/c' },
        { sort: 'name' },
      ];
      const verdicts = queries.map(q => ({
        q,
        ok: validate({ ...q }) as boolean,
      }));
      expect(verdicts).toEqual(
        queries.map(q => ({
          q,
          ok: listClustersQuerySchema.safeParse(q).success,
        })),
      );
      expect(verdicts.filter(v => v.ok)).toHaveLength(3);
    });
  });

  describe('responses match the schemas', () => {
    const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

    it('for clusters, lists, history, access and settings built by the service', async () => {
      const store = await ClusterStore.create({
        database: await databases.init('SQLITE_3'),
      });
      const spec1 = clusterSpecSchema.parse({
        ...validCluster(),
        owner: 'Payments',
        kubernetesVersion: 'v1.32',
        nodePools: [
          {
            name: 'default',
            machineType: 'm5.large',
            minSize: 1,
            maxSize: 5,
            labels: { 'node.example.com/role': 'web' },
            taints: [{ key: 'dedicated', value: 'web', effect: 'NoSchedule' }],
          },
          { name: 'batch', machineType: 'c5.xlarge', minSize: 0, maxSize: 10 },
        ],
      }) as any;
      await store.insert({
        name: 'prod-1',
        owner: spec1.owner,
        distribution: 'eks',
        spec: spec1,
        phase: 'Pending',
        message: 'waiting for the reconciler',
      });
      await store.update('prod-1', 1, {
        phase: 'Provisioning',
        message: 'creating the control plane',
      });
      const running = await store.update('prod-1', 1, {
        phase: 'Running',
        message: '',
        observed: {
          kubernetesVersion: '1.32',
          nodeCount: 3,
          apiServer: 'https://ABCDEF.gr7.eu-west-1.eks.amazonaws.com',
        },
      });
      const imported = await store.insert({
        name: 'onprem',
        owner: 'group:default/platform',
        distribution: 'import',
        phase: 'Running',
        message: 'imported; API server answered v1.31.4',
        observed: {
          apiServer: 'https://10.20.0.1:6443',
          kubernetesVersion: '1.31',
        },
      });
      const failed = await store.insert({
        name: 'gke-1',
        owner: 'group:default/payments',
        distribution: 'gke',
        spec: {
          ...spec1,
          name: 'gke-1',
          distribution: 'gke',
          credential: 'gcp-main',
        },
        phase: 'Error',
        message: 'QUOTA_EXCEEDED: insufficient regional quota',
      });

      const clusterSchema = schemaOf('Cluster');
      for (const record of [running, imported, failed]) {
        expectValid(clusterSchema, toApi(record));
      }
      expect(toApi(imported)).not.toHaveProperty('spec');

      const page = await store.list({}, { limit: 2 });
      expect(page.nextCursor).toBeDefined();
      expectValid(schemaOf('ClusterList'), {
        items: page.items.map(toApi),
        totalCount: page.totalCount,
        nextCursor: page.nextCursor,
      });

      const history = await store.history('prod-1');
      expect(history.map(h => h.phase)).toEqual([
        'Pending',
        'Provisioning',
        'Running',
      ]);
      expectValid(schemaOf('ClusterHistory'), { items: history });

      const kubeconfig = buildKubeconfig({
        name: 'prod-1',
        server: 'https://ABCDEF.gr7.eu-west-1.eks.amazonaws.com',
        caData: Buffer.from('-----BEGIN CERTIFICATE-----').toString('base64'),
        token: 'k8s-aws-v1.aHR0cHM6Ly9zdHMuYW1hem9uYXdzLmNvbQ',
      });
      const service = (management?: object) =>
        new ClusterService({
          store,
          secrets: { get: async () => ({ value: { kubeconfig } }) } as any,
          management: management as any,
          offeredVersions: DEFAULT_OFFERED_VERSIONS,
          importPolicy: readKubeconfigPolicy(new ConfigReader({})),
          logger: mockServices.logger.mock(),
        });
      const access = await service().access('prod-1');
      expect(access.token).toBeDefined();
      expectValid(schemaOf('ClusterAccess'), access);
      expectValid(schemaOf('ClustersSettings'), service({}).settings());
      expectValid(schemaOf('ClustersSettings'), service().settings());
    });

    it('refuses what the schemas forbid', () => {
      const valid = {
        name: 'prod-1',
        owner: 'group:default/payments',
        distribution: 'eks',
        status: { phase: 'Running' },
        revision: 1,
        createdAt: '2025-01-02T10:00:00.000Z',
        updatedAt: '2025-01-02T10:00:00.000Z',
      };
      const check = validatorOf(schemaOf('Cluster'));
      expect(check(valid).ok).toBe(true);
      expect(check({ ...valid, secret: 'x' }).ok).toBe(false);
      expect(check({ ...valid, status: { phase: 'Ready' } }).ok).toBe(false);
      expect(check({ ...valid, owner: 'payments' }).ok).toBe(false);
      expect(check({ ...valid, createdAt: 'yesterday' }).ok).toBe(false);
      const settings = validatorOf(schemaOf('ClustersSettings'));
      expect(
        settings({
          provisioning: { available: true },
          offeredVersions: { import: [] },
        }).ok,
      ).toBe(false);
    });

    it('for what the running plugin answers, errors included', async () => {
      const { server } = await startTestBackend({
        features: [
          pipelineClustersPlugin,
          mockServices.rootConfig.factory({ data: secretStoreConfig }),
        ],
      });
      const user = mockCredentials.user.header();
      const base = '/api/pipeline-clusters';

      /** The status is documented for the route and the body matches its schema. */
      const expectDocumented = (
        method: string,
        path: string,
        res: request.Response,
        status: number,
      ) => {
        expect(res.status).toBe(status);
        const responses = spec.paths[path][method].responses;
        expect(Object.keys(responses)).toContain(String(status));
        const schema = responses[status].content?.['application/json']?.schema;
        // A body exactly where the spec documents one.
        const verdict = schema
          ? validatorOf(schema)(res.body)
          : { ok: !res.text, errors: `undocumented body ${res.text}` };
        if (!verdict.ok) {
          throw new Error(
            `${method.toUpperCase()} ${path} ${status}: ${verdict.errors}`,
          );
        }
        return res.body;
      };

      const http = request(server);
      expectDocumented('get', '/health', await http.get(`${base}/health`), 200);

      const settings = expectDocumented(
        'get',
        '/settings',
        await http.get(`${base}/settings`).set('Authorization', user),
        200,
      );
      expect(settings.provisioning.available).toBe(false);

      expectDocumented(
        'get',
        '/settings',
        await http
          .get(`${base}/settings`)
          .set('Authorization', mockCredentials.user.invalidHeader()),
        401,
      );

      const list = await http
        .get(`${base}/clusters?limit=5`)
        .set('Authorization', user);
      expectDocumented('get', '/clusters', list, 200);

      const badLimit = expectDocumented(
        'get',
        '/clusters',
        await http.get(`${base}/clusters?limit=0`).set('Authorization', user),
        400,
      );
      expect(badLimit).toMatchObject({
        error: {
          name: 'InputError',
          message: expect.stringMatching(/^invalid query: limit: /),
        },
        request: { method: 'GET', url: '/clusters?limit=0' },
        response: { statusCode: 400 },
      });

      const badSpec = expectDocumented(
        'post',
        '/clusters',
        await http
          .post(`${base}/clusters`)
          .set('Authorization', user)
          .send(pool({ minSize: 3, maxSize: 2 })),
        400,
      );
      expect(badSpec.error.message).toContain('nodePools[0].minSize');

      // No management cluster configured: provisioning is unavailable.
      expectDocumented(
        'post',
        '/clusters',
        await http
          .post(`${base}/clusters`)
          .set('Authorization', user)
          .send(validCluster()),
        503,
      );

      expectDocumented(
        'get',
        '/clusters/{name}',
        await http.get(`${base}/clusters/nope`).set('Authorization', user),
        404,
      );
      expectDocumented(
        'get',
        '/clusters/{name}',
        await http
          .get(`${base}/clusters/Not_A_Label`)
          .set('Authorization', user),
        400,
      );

      expectDocumented(
        'get',
        '/clusters/{name}/namespaces',
        await http
          .get(`${base}/clusters/nope/namespaces`)
          .set('Authorization', user),
        404,
      );

      // Users and unlisted plugins never reach /access; a listed plugin
      // gets as far as the lookup.
      expectDocumented(
        'get',
        '/clusters/{name}/access',
        await http
          .get(`${base}/clusters/nope/access`)
          .set('Authorization', user),
        403,
      );
      expectDocumented(
        'get',
        '/clusters/{name}/access',
        await http
          .get(`${base}/clusters/nope/access`)
          .set('Authorization', mockCredentials.service.header()),
        403,
      );
      expectDocumented(
        'get',
        '/clusters/{name}/access',
        await http.get(`${base}/clusters/nope/access`).set(
          'Authorization',
          mockCredentials.service.header({
            onBehalfOf: mockCredentials.service('plugin:kubernetes'),
            targetPluginId: 'pipeline-clusters',
          }),
        ),
        404,
      );

      const created = expectDocumented(
        'post',
        '/credentials',
        await http
          .post(`${base}/credentials`)
          .set('Authorization', user)
          .send(credential('aws')),
        201,
      );
      expect(created).toMatchObject({ name: 'aws-main', kind: 'aws' });
      expect(JSON.stringify(created)).not.toContain(
        credentialValues.aws.secretAccessKey,
      );
      expectDocumented(
        'post',
        '/credentials',
        await http
          .post(`${base}/credentials`)
          .set('Authorization', user)
          .send(credential('aws')),
        409,
      );
      const listed = expectDocumented(
        'get',
        '/credentials',
        await http.get(`${base}/credentials`).set('Authorization', user),
        200,
      );
      expect(listed.items).toHaveLength(1);
      expectDocumented(
        'delete',
        '/credentials/{name}',
        await http
          .delete(`${base}/credentials/aws-main`)
          .set('Authorization', user),
        400,
      );
      expectDocumented(
        'delete',
        '/credentials/{name}',
        await http
          .delete(`${base}/credentials/aws-main?owner=payments`)
          .set('Authorization', user),
        204,
      );
      expectDocumented(
        'delete',
        '/credentials/{name}',
        await http
          .delete(`${base}/credentials/aws-main?owner=payments`)
          .set('Authorization', user),
        404,
      );
    });
  });
});
