import { TestDatabases } from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import catalogModuleScaffolderEntityModel from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import {
  CREDENTIAL_KIND_OF,
  PROVISIONED_DISTRIBUTIONS,
  ProvisionedDistribution,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import scaffolderModulePipelineClusters from '@pipeline-portal/plugin-scaffolder-backend-module-pipeline-clusters';
import { KubeApi, KubeObject } from '@pipeline-portal/testing';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { stringify } from 'yaml';
import { playEngines } from '../__testUtils__/engines';
import { startManagementCluster } from '../__testUtils__/fixtures';
import {
  authAs,
  expectStatus,
  objectsOfCluster,
  PortalBackend,
  startPortalBackend,
  USERS,
} from '../__testUtils__/portalBackend';
import {
  CREDENTIALS,
  sampleSpec,
} from '../distributions/__testUtils__/harness';

jest.setTimeout(180_000);

/*
 * Every distribution through real scaffolder tasks: one template runs
 * create -> wait -> update (scale) -> wait -> update (upgrade) -> wait ->
 * delete -> wait (Deleted) with the module's actions, while the test drives
 * the reconciler and watches the management double's engine resources. The
 * portal's own update-cluster template then runs as its form submits it.
 */

const BASE = '/api/pipeline-clusters';
const UPDATE_TEMPLATE = path.resolve(
  __dirname,
  '../../../../../templates/update-cluster/template.yaml',
);
const bob = authAs(USERS.bob);
const delay = (ms: number) => new Promise(r => setTimeout(r, ms));

/** Versions offered differ per distribution, so each upgrade is its own. */
const OFFERED: Record<ProvisionedDistribution, string[]> = {
  eks: ['1.31', '1.32'],
  aks: ['1.32', '1.33'],
  gke: ['1.31', '1.33'],
  oke: ['1.32', '1.33'],
  ack: ['1.31', '1.32'],
  doks: ['1.32', '1.33'],
};

/** The whole lifecycle as one task; the wait steps poll every second. */
const LIFECYCLE_TEMPLATE = {
  apiVersion: 'scaffolder.backstage.io/v1beta3',
  kind: 'Template',
  metadata: { name: 'cluster-lifecycle', title: 'Cluster lifecycle' },
  spec: {
    owner: 'group:default/platform',
    type: 'kubernetes-cluster',
    parameters: [
      {
        required: [
          'name',
          'distribution',
          'region',
          'credential',
          'machineType',
          'fromVersion',
          'toVersion',
        ],
        properties: Object.fromEntries(
          [
            'name',
            'distribution',
            'region',
            'credential',
            'machineType',
            'fromVersion',
            'toVersion',
          ].map(key => [key, { type: 'string' }]),
        ),
      },
    ],
    steps: [
      {
        id: 'create',
        action: 'pipeline:cluster:create',
        input: {
          name: '${{ parameters.name }}',
          owner: 'group:default/payments',
          distribution: '${{ parameters.distribution }}',
          region: '${{ parameters.region }}',
          kubernetesVersion: '${{ parameters.fromVersion }}',
          credential: '${{ parameters.credential }}',
          nodePools: [
            {
              name: 'default',
              machineType: '${{ parameters.machineType }}',
              minSize: 2,
              maxSize: 2,
            },
          ],
        },
      },
      wait('created', 'Running'),
      {
        id: 'scale',
        action: 'pipeline:cluster:update',
        input: {
          name: "${{ steps['create'].output.entityRef }}",
          nodePools: {
            change: [
              { name: 'default', minSize: 3, maxSize: 3, desiredSize: 3 },
            ],
          },
        },
      },
      wait('scaled', 'Running'),
      {
        id: 'upgrade',
        action: 'pipeline:cluster:update',
        input: {
          name: "${{ steps['create'].output.name }}",
          kubernetesVersion: '${{ parameters.toVersion }}',
        },
      },
      wait('upgraded', 'Running'),
      {
        id: 'delete',
        action: 'pipeline:cluster:delete',
        input: { name: "${{ steps['create'].output.name }}" },
      },
      wait('deleted', 'Deleted'),
    ],
    output: {
      scaledRevision: "${{ steps['scale'].output.revision }}",
      scaledPhase: "${{ steps['scale'].output.phase }}",
      upgradedRevision: "${{ steps['upgrade'].output.revision }}",
      upgradedPhase: "${{ steps['upgrade'].output.phase }}",
      deletedPhase: "${{ steps['wait-deleted'].output.phase }}",
    },
  },
};

function wait(id: string, until: 'Running' | 'Deleted') {
  return {
    id: `wait-${id}`,
    action: 'pipeline:cluster:wait',
    input: {
      name: "${{ steps['create'].output.name }}",
      until,
      timeoutSeconds: 120,
      pollSeconds: 1,
    },
  };
}

/** What the engine resources of a cluster ask for and what the engine reports. */
interface Reading {
  version?: string;
  reportedVersion?: string;
  replicas?: number;
  reportedReplicas?: number;
}

const CAPI = 'cluster.x-k8s.io/v1beta2';
const INFRA = 'infrastructure.cluster.x-k8s.io';
const CONTROL_PLANE: Partial<
  Record<ProvisionedDistribution, [apiVersion: string, kind: string]>
> = {
  eks: ['controlplane.cluster.x-k8s.io/v1beta2', 'AWSManagedControlPlane'],
  aks: [`${INFRA}/v1beta1`, 'AzureASOManagedControlPlane'],
  gke: [`${INFRA}/v1beta1`, 'GCPManagedControlPlane'],
  oke: [`${INFRA}/v1beta2`, 'OCIManagedControlPlane'],
};

/** Each engine's own spelling of a Kubernetes minor version. */
const SPELLING: Record<ProvisionedDistribution, (minor: string) => string> = {
  eks: minor => `v${minor}`,
  aks: minor => `v${minor}`,
  gke: minor => minor,
  oke: minor => `v${minor}.1`,
  ack: minor => `${minor}.1-aliyun.1`,
  doks: minor => minor,
};

/** Reads the cluster's version and its one pool's size off the double. */
function readEngine(
  api: KubeApi,
  distribution: ProvisionedDistribution,
  name: string,
): Reading | undefined {
  const labelSelector = `pipeline-portal.io/cluster=${name}`;
  const only = (apiVersion: string, kind: string) => {
    const found = api.list(apiVersion, kind, { labelSelector }) as Array<
      KubeObject & { spec?: any; status?: any }
    >;
    return found.length === 1 ? found[0] : undefined;
  };
  const controlPlane = CONTROL_PLANE[distribution];
  if (controlPlane) {
    const cp = only(...controlPlane);
    const pool = only(CAPI, 'MachinePool');
    if (!cp || !pool) return undefined;
    return {
      version: cp.spec?.version,
      reportedVersion: cp.status?.currentVersion ?? cp.status?.version,
      replicas: pool.spec?.replicas,
      reportedReplicas: pool.status?.replicas,
    };
  }
  if (distribution === 'ack') {
    const ack = 'ack.alibabacloud.crossplane.io/v1alpha1';
    const cluster = only(ack, 'ManagedKubernetes');
    const pool = only(ack, 'KubernetesNodePool');
    if (!cluster || !pool) return undefined;
    return {
      version: cluster.spec?.forProvider?.version,
      reportedVersion: cluster.status?.atProvider?.version,
      replicas: Number(pool.spec?.forProvider?.desiredSize),
      reportedReplicas: pool.status?.atProvider?.nodeCount,
    };
  }
  const cluster = only(
    'kubernetes.do.crossplane.io/v1alpha1',
    'DOKubernetesCluster',
  );
  if (!cluster) return undefined;
  return {
    version: cluster.spec?.forProvider?.version,
    reportedVersion: cluster.status?.atProvider?.version,
    replicas: cluster.spec?.forProvider?.nodePools?.[0]?.count,
    reportedReplicas: cluster.status?.atProvider?.nodePools?.[0]?.count,
  };
}

const minorOf = (version?: string) => /^v?(\d+\.\d+)/.exec(version ?? '')?.[1];

/** The engine reports what the resources ask for: a step's end state. */
const settled = (r: Reading) =>
  r.reportedReplicas === r.replicas &&
  minorOf(r.reportedVersion) === minorOf(r.version);

describe('every distribution through a real scaffolder task', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
  let management: KubeApi;
  let stopEngines: () => void;
  let templateDir: string;

  beforeAll(async () => {
    management = await startManagementCluster();
    stopEngines = playEngines(management, { readyAfterMs: 5 });
    templateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cluster-lifecycle-'));
    fs.writeFileSync(
      path.join(templateDir, 'template.yaml'),
      stringify(LIFECYCLE_TEMPLATE),
    );
  });
  afterAll(async () => {
    stopEngines?.();
    await management?.close();
    if (templateDir) fs.rmSync(templateDir, { recursive: true, force: true });
  });

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    let backend: PortalBackend;

    beforeAll(async () => {
      backend = await startPortalBackend({
        knex: await databases.init(databaseId),
        otherDatabases: () => databases.init(databaseId),
        management,
        features: [
          catalogPlugin,
          catalogModuleScaffolderEntityModel,
          scaffolderPlugin,
          scaffolderModulePipelineClusters,
        ],
        config: {
          pipelinePortal: {
            clusters: {
              versions: OFFERED,
              reconcile: { requestsPerSecondPerCluster: 1000 },
            },
          },
          catalog: {
            rules: [{ allow: ['Template', 'Location'] }],
            locations: [
              {
                type: 'file',
                target: path.join(templateDir, 'template.yaml'),
              },
              { type: 'file', target: UPDATE_TEMPLATE },
            ],
          },
        },
      });
      // The template reaches the catalog from catalog.locations.
      for (const end = Date.now() + 30_000; ; await delay(200)) {
        const res = await request(backend.server)
          .get(
            '/api/catalog/entities/by-name/template/default/cluster-lifecycle',
          )
          .set('Authorization', bob);
        if (res.status === 200) break;
        if (Date.now() > end) throw new Error('the template never arrived');
      }
    });
    afterAll(() => backend?.stop());

    const taskEvents = async (id: string) => {
      const res = await request(backend.server)
        .get(`/api/scaffolder/v2/tasks/${id}/events`)
        .set('Authorization', bob);
      expectStatus(res, 200);
      return res.body as Array<{
        type: string;
        body: {
          message?: string;
          stepId?: string;
          status?: string;
          output?: Record<string, unknown>;
        };
      }>;
    };

    /** Stores a cloud credential of the payments group for a distribution. */
    async function addCredential(
      distribution: ProvisionedDistribution,
      credential: string,
    ) {
      expectStatus(
        await request(backend.server)
          .post(`${BASE}/credentials`)
          .set('Authorization', bob)
          .send({
            name: credential,
            owner: 'group:default/payments',
            kind: CREDENTIAL_KIND_OF[distribution],
            value: CREDENTIALS[distribution],
          }),
        201,
      );
    }

    /**
     * Runs a task to its end, with a reconcile pass (then `afterPass`) every
     * 50 ms; fails with the task's log unless it completed.
     */
    async function runTask(
      templateRef: string,
      values: Record<string, unknown>,
      afterPass: () => void = () => {},
    ) {
      const task = await request(backend.server)
        .post('/api/scaffolder/v2/tasks')
        .set('Authorization', bob)
        .send({ templateRef, values });
      expectStatus(task, 201);
      let status = 'open';
      for (const end = Date.now() + 150_000; ; await delay(50)) {
        await backend.reconcile();
        afterPass();
        const res = await request(backend.server)
          .get(`/api/scaffolder/v2/tasks/${task.body.id}`)
          .set('Authorization', bob);
        expectStatus(res, 200);
        status = res.body.status;
        if (['completed', 'failed', 'cancelled'].includes(status)) break;
        if (Date.now() > end) break;
      }
      const events = await taskEvents(task.body.id);
      if (status !== 'completed') {
        throw new Error(
          `task ${status}: ${JSON.stringify(events.map(e => e.body))}`,
        );
      }
      return events;
    }

    it.each(PROVISIONED_DISTRIBUTIONS.map(d => [d]))(
      'creates, scales, upgrades and deletes a %s cluster',
      async (distribution: ProvisionedDistribution) => {
        const name = `${distribution}-task-${
          databaseId === 'SQLITE_3' ? 'sq' : 'pg'
        }`;
        const sample = sampleSpec(distribution);
        const credential = `${distribution}-task`;
        await addCredential(distribution, credential);

        // The lowest and the highest version this distribution offers.
        const settings = await request(backend.server)
          .get(`${BASE}/settings`)
          .set('Authorization', bob);
        expectStatus(settings, 200);
        const offered: string[] = settings.body.offeredVersions[distribution];
        expect(offered).toEqual(OFFERED[distribution]);
        const [fromVersion, toVersion] = [offered[0], offered.at(-1)!];

        // Engine resources change only when the reconciler writes them, and
        // the reconciler runs only here: after each pass the double is read,
        // and every settled state it shows is recorded, in order.
        const states: Array<Pick<Reading, 'version' | 'replicas'> | 'gone'> =
          [];
        const record = (state: (typeof states)[number]) => {
          if (JSON.stringify(states.at(-1)) !== JSON.stringify(state)) {
            states.push(state);
          }
        };
        const events = await runTask(
          'template:default/cluster-lifecycle',
          {
            name,
            distribution,
            region: sample.region,
            credential,
            machineType: sample.nodePools[0].machineType,
            fromVersion,
            toVersion,
          },
          () => {
            const reading = readEngine(management, distribution, name);
            if (reading && settled(reading)) {
              record({ version: reading.version, replicas: reading.replicas });
            } else if (
              states.length &&
              !objectsOfCluster(management, name).length
            ) {
              record('gone');
            }
          },
        );

        const spell = SPELLING[distribution];
        expect(states).toEqual([
          { version: spell(fromVersion), replicas: 2 },
          { version: spell(fromVersion), replicas: 3 },
          { version: spell(toVersion), replicas: 3 },
          'gone',
        ]);
        // Nothing of the cluster is left: engine resources, credential
        // objects, the kubeconfig; and the API no longer knows it.
        expect(objectsOfCluster(management, name)).toEqual([]);
        expectStatus(
          await request(backend.server)
            .get(`${BASE}/clusters/${name}`)
            .set('Authorization', bob),
          404,
        );

        // Each update recorded its change and bumped the revision once.
        const completion = events.find(e => e.type === 'completion');
        const output = completion?.body.output ?? {};
        expect(output).toMatchObject({
          scaledPhase: 'Updating',
          upgradedPhase: 'Updating',
          deletedPhase: 'Deleted',
        });
        expect(Number(output.upgradedRevision)).toBe(
          Number(output.scaledRevision) + 1,
        );
        const log = events.map(e => e.body.message ?? '').join('\n');
        expect(log).toContain(
          `Updating cluster ${name}: node pools changed: default`,
        );
        expect(log).toContain(
          `Updating cluster ${name}: kubernetesVersion ${fromVersion} -> ${toVersion}`,
        );
        expect(log).toContain(`Cluster ${name} is Deleted`);
        expect(stringify(log)).not.toContain(
          Object.values(CREDENTIALS[distribution])[0],
        );
      },
    );

    it('scales and upgrades a cluster through the update-cluster template', async () => {
      const distribution = 'gke';
      const name = `gke-form-${databaseId === 'SQLITE_3' ? 'sq' : 'pg'}`;
      const credential = 'gke-form';
      await addCredential(distribution, credential);
      const spec = {
        ...sampleSpec(distribution),
        name,
        credential,
        kubernetesVersion: '1.31',
      };
      const created = await request(backend.server)
        .post(`${BASE}/clusters`)
        .set('Authorization', bob)
        .send({
          ...spec,
          nodePools: [{ ...spec.nodePools[0], name: 'default' }],
        });
      expectStatus(created, 201);
      for (const end = Date.now() + 30_000; ; await delay(50)) {
        await backend.reconcile();
        const res = await request(backend.server)
          .get(`${BASE}/clusters/${name}`)
          .set('Authorization', bob);
        if (res.body.status?.phase === 'Running') break;
        if (Date.now() > end) throw new Error(`${name} never ran`);
      }
      const cluster = `resource:default/${name}`;

      // The form's answers as the frontend sends them.
      await runTask('template:default/update-cluster', {
        cluster,
        change: 'scale',
        pool: 'default',
        minSize: 2,
        maxSize: 8,
        desiredSize: 5,
      });
      const scaled = readEngine(management, distribution, name);
      expect(scaled).toMatchObject({ replicas: 5, reportedReplicas: 5 });
      expect(scaled?.version).toBe('1.31');

      const events = await runTask('template:default/update-cluster', {
        cluster,
        change: 'upgrade',
        kubernetesVersion: '1.33',
      });
      const upgraded = readEngine(management, distribution, name);
      expect(upgraded).toMatchObject({ version: '1.33', replicas: 5 });
      expect(minorOf(upgraded?.reportedVersion)).toBe('1.33');
      // Only the step the form asked for ran.
      const log = events.map(e => e.body.message ?? '').join('\n');
      const skipped = events
        .filter(e => e.body.status === 'skipped')
        .map(e => e.body.stepId);
      expect(skipped).toEqual(['scale']);
      expect(log).not.toContain('node pools changed');
      expect(log).toContain(
        `Updating cluster ${name}: kubernetesVersion 1.31 -> 1.33`,
      );

      const res = await request(backend.server)
        .get(`${BASE}/clusters/${name}`)
        .set('Authorization', bob);
      expect(res.body).toMatchObject({
        spec: {
          kubernetesVersion: '1.33',
          nodePools: [
            { name: 'default', minSize: 2, maxSize: 8, desiredSize: 5 },
          ],
        },
        status: { phase: 'Running', kubernetesVersion: '1.33' },
      });
    });
  });
});
