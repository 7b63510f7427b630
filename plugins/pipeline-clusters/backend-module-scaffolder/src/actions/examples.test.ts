import yaml from 'yaml';
import { TemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  createClusterCreateAction,
  createClusterDeleteAction,
  createClusterImportAction,
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
  client.getCluster.mockImplementation(async n => cluster(n, 'Running'));
  client.createNamespace.mockImplementation(async (_c, r) => ({
    namespace: r.namespace,
    objects: [`Namespace/${r.namespace}`],
  }));
  const clock = { now: () => 0, sleep: async () => {} };
  const options = { client, auth };
  const actions: TemplateAction<any, any>[] = [
    createClusterCreateAction(options),
    createClusterImportAction(options),
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
    expect(client.deleteCluster).toHaveBeenCalledWith('payments-staging', {
      token: expect.any(String),
    });
  });
});
