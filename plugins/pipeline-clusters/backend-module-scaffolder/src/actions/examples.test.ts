import yaml from 'yaml';
import { TemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  createClusterCreateAction,
  createClusterDeleteAction,
  createClusterImportAction,
  createClusterUpdateAction,
  createClusterWaitAction,
  createNamespaceCreateAction,
} from '.';
import {
  auth,
  cluster,
  context,
  mockClient,
  outputs,
} from './__testUtils__/helpers';

describe('examples run through the real handlers', () => {
  const client = mockClient();
  client.createCluster.mockImplementation(async r =>
    cluster(r.name, 'Pending'),
  );
  client.importCluster.mockImplementation(async r =>
    cluster(r.name, 'Running'),
  );
  client.deleteCluster.mockImplementation(async n => cluster(n, 'Deleting'));
  // Each example's cluster has the pools its example names, on 1.32.
  const pool = (name: string) => ({
    name,
    machineType: 'm5.large',
    minSize: 1,
    maxSize: 3,
    desiredSize: 1,
    labels: {},
    taints: [],
  });
  client.getCluster.mockImplementation(async n => ({
    ...cluster(n, 'Running'),
    spec: {
      name: n,
      owner: 'group:default/payments',
      distribution: 'eks' as const,
      region: 'eu-west-1',
      kubernetesVersion: '1.32',
      credential: 'payments-aws',
      nodePools: ['general', 'system', 'gpu'].map(pool),
    },
  }));
  client.updateCluster.mockImplementation(async (n, r) => ({
    ...cluster(n, 'Updating'),
    revision: r.revision + 1,
  }));
  client.createNamespace.mockImplementation(async (_c, r) => ({
    namespace: r.namespace,
    objects: [`Namespace/${r.namespace}`],
  }));
  const clock = { now: () => 0, sleep: async () => {} };
  const options = { client, auth };
  const actions: TemplateAction<any, any>[] = [
    createClusterCreateAction(options),
    createClusterImportAction(options),
    createClusterUpdateAction(options),
    createClusterDeleteAction(options),
    createClusterWaitAction({ ...options, clock }),
    createNamespaceCreateAction(options),
  ];

  const cases = actions.flatMap(action =>
    (action.examples ?? []).map(
      example => [action.id, example.description, action, example] as const,
    ),
  );

  it('every action has examples', () => {
    expect(new Set(cases.map(c => c[0]))).toEqual(
      new Set(actions.map(a => a.id)),
    );
  });

  it.each(cases)('%s: %s', async (id, _description, action, example) => {
    const steps = yaml.parse(example.example).steps as Array<{
      action: string;
      input: any;
    }>;
    const own = steps.filter(step => step.action === id);
    expect(own.length).toBeGreaterThan(0);
    for (const step of own) {
      const ctx = context(step.input);
      await action.handler(ctx);
      expect(outputs(ctx).name ?? outputs(ctx).namespace).toBeDefined();
    }
  });

  it('passed each example input on to the API', () => {
    expect(client.createCluster).toHaveBeenCalledWith(
      expect.objectContaining({
        name: 'ml-training',
        nodePools: [
          expect.objectContaining({ name: 'system', desiredSize: 1 }),
          expect.objectContaining({ name: 'gpu', taints: [expect.anything()] }),
        ],
      }),
      { token: expect.any(String) },
    );
    expect(client.createNamespace).toHaveBeenCalledWith(
      'data-prod',
      expect.objectContaining({
        namespace: 'ml-batch',
        quota: { cpu: '32', memory: '128Gi', pods: 200 },
      }),
      { token: expect.any(String) },
    );
    expect(client.importCluster).toHaveBeenCalledTimes(1);
    expect(client.updateCluster).toHaveBeenCalledWith(
      'payments-prod',
      {
        revision: 1,
        nodePools: expect.arrayContaining([
          expect.objectContaining({
            name: 'general',
            minSize: 2,
            maxSize: 10,
            desiredSize: 4,
          }),
        ]),
      },
      { token: expect.any(String) },
    );
    expect(client.updateCluster).toHaveBeenCalledWith(
      'payments-prod',
      { revision: 1, kubernetesVersion: '1.33' },
      { token: expect.any(String) },
    );
    expect(client.updateCluster).toHaveBeenCalledWith(
      'ml-training',
      {
        revision: 1,
        nodePools: [
          expect.objectContaining({ name: 'general' }),
          expect.objectContaining({
            name: 'system',
            labels: { role: 'system' },
          }),
          expect.objectContaining({
            name: 'gpu-a100',
            desiredSize: 0,
            taints: [expect.anything()],
          }),
        ],
      },
      { token: expect.any(String) },
    );
    expect(client.deleteCluster).toHaveBeenCalledWith('payments-staging', {
      token: expect.any(String),
    });
  });
});
