import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startTestCluster, TestCluster } from '../__testUtils__/cluster';
import {
  API_VERSION,
  instanceObject,
  KIND,
  MANAGED_BY_LABEL,
} from '../core/instance';
import { loadDefinitionFiles } from './definitionFiles';
import { Operator } from './Operator';

const NS = 'pipeline-system';
const CATALOG = resolve(
  __dirname,
  '../../../../../catalog/integrated-services',
);
const ref = (name: string) => ({
  apiVersion: API_VERSION,
  kind: KIND,
  name,
  namespace: NS,
});

describe('the standalone operator', () => {
  let cluster: TestCluster;
  beforeEach(async () => {
    cluster = await startTestCluster('in-cluster');
  });
  afterEach(() => cluster.close());

  it('loads the shipped definitions and leaves out an invalid one with its pointer', () => {
    const shipped = loadDefinitionFiles(CATALOG);
    expect(shipped.problems).toEqual([]);
    expect(shipped.definitions.size).toBe(9);

    const dir = mkdtempSync(join(tmpdir(), 'defs-'));
    try {
      writeFileSync(
        join(dir, 'bad.yaml'),
        'apiVersion: pipeline-portal.io/v1alpha1\nkind: IntegratedService\nmetadata: { name: bad }\nspec: { owner: x }\n',
      );
      const loaded = loadDefinitionFiles(dir);
      expect(loaded.definitions.size).toBe(0);
      expect(loaded.problems[0]).toMatch(/^bad\.yaml#0 \(bad\): .*\/spec/);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('installs a ServiceInstance created with kubectl, without the portal, on its interval', async () => {
    const { definitions } = loadDefinitionFiles(CATALOG);
    const external = instanceObject(NS, { service: 'cert-manager' });
    delete external.metadata.labels;
    delete external.metadata.finalizers;
    cluster.api.create(external as any);
    const logs: string[] = [];
    const operator = new Operator({
      conn: cluster.conn,
      namespace: NS,
      definitions,
      intervalMs: 10,
      log: (_level, message) => logs.push(message),
    });
    operator.start();
    try {
      let instance: any;
      for (let n = 0; n < 300; n++) {
        instance = cluster.api.get(ref('cert-manager'));
        if (instance?.status?.phase === 'Ready') break;
        await new Promise(r => setTimeout(r, 10));
      }
      expect(instance.status).toMatchObject({
        phase: 'Ready',
        installedVersion: '1.16.1',
      });
      expect(
        cluster.api.get({
          apiVersion: 'helm.toolkit.fluxcd.io/v2',
          kind: 'HelmRelease',
          name: 'cert-manager',
          namespace: NS,
        }),
      ).toBeDefined();
    } finally {
      await operator.stop();
    }
  });

  it("leaves the portal's instances alone when scoped to external ones", async () => {
    const { definitions } = loadDefinitionFiles(CATALOG);
    cluster.api.create(instanceObject(NS, { service: 'cert-manager' }) as any);
    expect(
      (cluster.api.get(ref('cert-manager')) as any).metadata.labels[
        MANAGED_BY_LABEL
      ],
    ).toBe('pipeline-portal');
    const operator = new Operator({
      conn: cluster.conn,
      namespace: NS,
      definitions,
      scope: 'external',
      intervalMs: 10,
      log: () => {},
    });
    const result = await operator.runOnce();
    expect(result).toMatchObject({ instances: 1, external: 1 });
    expect(
      (cluster.api.get(ref('cert-manager')) as any).status,
    ).toBeUndefined();
  });
});
