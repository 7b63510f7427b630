import { mockCredentials } from '@backstage/backend-test-utils';
import { ConflictError, InputError } from '@backstage/errors';
import { createClusterCreateAction } from './createCluster';
import {
  auth,
  checkpointStore,
  cluster,
  context,
  mockClient,
  outputs,
  responseError,
} from './__testUtils__/helpers';

const input = {
  name: 'payments-prod',
  owner: 'payments',
  distribution: 'eks',
  region: 'eu-west-1',
  kubernetesVersion: 'v1.32',
  credential: 'payments-aws',
  nodePools: [
    { name: 'default', machineType: 'm5.large', minSize: 1, maxSize: 3 },
  ],
};

describe('pipeline:cluster:create', () => {
  it('creates the cluster as the user and outputs where to find it', async () => {
    const client = mockClient();
    client.createCluster.mockResolvedValue(cluster('payments-prod', 'Pending'));
    const ctx = context(input);
    await createClusterCreateAction({ client, auth }).handler(ctx);

    expect(client.createCluster).toHaveBeenCalledWith(
      {
        ...input,
        owner: 'group:default/payments',
        kubernetesVersion: '1.32',
        nodePools: [
          { ...input.nodePools[0], desiredSize: 1, labels: {}, taints: [] },
        ],
      },
      {
        token: mockCredentials.service.token({
          onBehalfOf: mockCredentials.user(),
          targetPluginId: 'pipeline-clusters',
        }),
      },
    );
    expect(outputs(ctx)).toEqual({
      name: 'payments-prod',
      phase: 'Pending',
      clusterUrl: '/clusters/payments-prod',
      entityRef: 'resource:default/payments-prod',
    });
  });

  it('does not create twice when the task is retried', async () => {
    const client = mockClient();
    client.createCluster.mockResolvedValue(cluster('payments-prod', 'Pending'));
    const checkpoints = checkpointStore();
    const action = createClusterCreateAction({ client, auth });

    await action.handler(context(input, { checkpoints }));
    const retry = context(input, { checkpoints });
    await action.handler(retry);

    expect(client.createCluster).toHaveBeenCalledTimes(1);
    expect(outputs(retry).phase).toBe('Pending');
    expect([...checkpoints.values.keys()]).toEqual([
      'cluster-create-payments-prod',
    ]);
  });

  it.each([
    [{ name: 'Payments_Prod' }, /^name: must be an RFC 1123 label/],
    [{ distribution: 'import' }, /^distribution: must be one of eks/],
    [
      {
        nodePools: [
          { name: 'p', machineType: 'm5.large', minSize: 4, maxSize: 2 },
        ],
      },
      /^nodePools\[0\]\.minSize: minSize \(4\) is greater than maxSize \(2\)/,
    ],
    [{ nodePools: [] }, /^nodePools: /],
  ])('refuses %j with an InputError naming the field', async (bad, message) => {
    const client = mockClient();
    const action = createClusterCreateAction({ client, auth });
    const run = action.handler(context({ ...input, ...bad }));
    await expect(run).rejects.toThrow(InputError);
    await expect(action.handler(context({ ...input, ...bad }))).rejects.toThrow(
      message,
    );
    expect(client.createCluster).not.toHaveBeenCalled();
  });

  it("passes on the API's message", async () => {
    const client = mockClient();
    client.createCluster.mockRejectedValue(
      await responseError(
        409,
        'cluster payments-prod belongs to group:default/billing',
      ),
    );
    const run = createClusterCreateAction({ client, auth }).handler(
      context(input),
    );
    await expect(run).rejects.toThrow(ConflictError);
    await expect(run).rejects.toThrow(
      'Creating cluster payments-prod failed: cluster payments-prod belongs to group:default/billing',
    );
  });

  it('validates without calling the API on a dry run', async () => {
    const client = mockClient();
    const ctx = context(input, { isDryRun: true });
    await createClusterCreateAction({ client, auth }).handler(ctx);
    expect(client.createCluster).not.toHaveBeenCalled();
    expect(outputs(ctx).entityRef).toBe('resource:default/payments-prod');
  });
});
