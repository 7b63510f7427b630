import { mockCredentials } from '@backstage/backend-test-utils';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import {
  Cluster,
  ClusterSpec,
  UpdateClusterRequest,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { createClusterUpdateAction } from './updateCluster';
import {
  auth,
  checkpointStore,
  cluster,
  context,
  mockClient,
  MockClient,
  outputs,
  responseError,
} from './__testUtils__/helpers';

const SPEC: ClusterSpec = {
  name: 'payments-prod',
  owner: 'group:default/payments',
  distribution: 'eks',
  region: 'eu-west-1',
  kubernetesVersion: '1.32',
  credential: 'payments-aws',
  nodePools: [
    {
      name: 'general',
      machineType: 'm5.large',
      minSize: 2,
      maxSize: 6,
      desiredSize: 3,
      labels: { role: 'general' },
      taints: [],
    },
    {
      name: 'gpu',
      machineType: 'g5.xlarge',
      minSize: 1,
      maxSize: 1,
      desiredSize: 1,
      labels: {},
      taints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }],
    },
  ],
};

const userToken = mockCredentials.service.token({
  onBehalfOf: mockCredentials.user(),
  targetPluginId: 'pipeline-clusters',
});

/**
 * A client whose cluster behaves like the REST API's: PATCH needs the current
 * revision (409 otherwise), records the spec and bumps the revision.
 */
function apiWith(spec: ClusterSpec | undefined, revision = 4): MockClient {
  const client = mockClient();
  let current: Cluster = {
    ...cluster(SPEC.name, 'Running'),
    revision,
    ...(spec && { spec: structuredClone(spec) }),
  };
  client.getCluster.mockImplementation(async () => structuredClone(current));
  client.updateCluster.mockImplementation(
    async (_name, request: UpdateClusterRequest) => {
      if (request.revision !== current.revision) {
        throw await responseError(409, 'changed meanwhile; read it again');
      }
      const { revision: _r, ...changes } = request;
      current = {
        ...current,
        spec: { ...current.spec!, ...(changes as Partial<ClusterSpec>) },
        revision: current.revision + 1,
        status: { phase: 'Updating' },
      };
      return structuredClone(current);
    },
  );
  return client;
}

const patchOf = (client: MockClient, call = 0) =>
  client.updateCluster.mock.calls[call][1];

describe('pipeline:cluster:update', () => {
  it('scales a pool as the user, sending the revision it read and the other pools unchanged', async () => {
    const client = apiWith(SPEC);
    const ctx = context({
      name: 'resource:default/payments-prod',
      nodePools: { change: [{ name: 'general', maxSize: 8, desiredSize: 5 }] },
    });
    await createClusterUpdateAction({ client, auth }).handler(ctx);

    expect(client.updateCluster).toHaveBeenCalledWith(
      'payments-prod',
      {
        revision: 4,
        nodePools: [
          { ...SPEC.nodePools[0], maxSize: 8, desiredSize: 5 },
          SPEC.nodePools[1],
        ],
      },
      { token: userToken },
    );
    expect(outputs(ctx)).toEqual({
      name: 'payments-prod',
      revision: 5,
      phase: 'Updating',
      changed: true,
    });
  });

  it('upgrades the version alone, with or without a leading v', async () => {
    const client = apiWith(SPEC);
    await createClusterUpdateAction({ client, auth }).handler(
      context({ name: 'payments-prod', kubernetesVersion: 'v1.33' }),
    );
    expect(patchOf(client)).toEqual({ revision: 4, kubernetesVersion: '1.33' });
  });

  it('adds, removes and relabels pools in one PATCH', async () => {
    const client = apiWith(SPEC);
    await createClusterUpdateAction({ client, auth }).handler(
      context({
        name: 'payments-prod',
        nodePools: {
          add: [
            { name: 'batch', machineType: 'c5.xlarge', minSize: 0, maxSize: 4 },
          ],
          remove: ['gpu'],
          change: [{ name: 'general', labels: { tier: 'web' }, taints: [] }],
        },
      }),
    );
    expect(patchOf(client).nodePools).toEqual([
      { ...SPEC.nodePools[0], labels: { tier: 'web' } },
      {
        name: 'batch',
        machineType: 'c5.xlarge',
        minSize: 0,
        maxSize: 4,
        desiredSize: 0,
        labels: {},
        taints: [],
      },
    ]);
  });

  it('does not fail, nor PATCH, when the change is already applied', async () => {
    const client = apiWith(SPEC);
    const action = createClusterUpdateAction({ client, auth });
    const input = {
      name: 'payments-prod',
      kubernetesVersion: '1.33',
      nodePools: {
        change: [{ name: 'general', desiredSize: 4 }],
        add: [
          { name: 'batch', machineType: 'c5.xlarge', minSize: 0, maxSize: 4 },
        ],
        remove: ['gpu'],
      },
    };
    await action.handler(context(input));
    // A retried step without its checkpoint (e.g. the write went through but
    // the task died before recording it) finds everything done.
    const again = context(input);
    await action.handler(again);

    expect(client.updateCluster).toHaveBeenCalledTimes(1);
    expect(outputs(again)).toEqual({
      name: 'payments-prod',
      revision: 5,
      phase: 'Updating',
      changed: false,
    });
  });

  it('does not even read the cluster again when its checkpoint holds the result', async () => {
    const client = apiWith(SPEC);
    const checkpoints = checkpointStore();
    const action = createClusterUpdateAction({ client, auth });
    const input = { name: 'payments-prod', kubernetesVersion: '1.33' };
    await action.handler(context(input, { checkpoints }));
    const retry = context(input, { checkpoints });
    await action.handler(retry);

    expect(client.getCluster).toHaveBeenCalledTimes(1);
    expect(client.updateCluster).toHaveBeenCalledTimes(1);
    expect(outputs(retry)).toMatchObject({ revision: 5, changed: true });
    expect([...checkpoints.values.keys()]).toEqual([
      'cluster-update-payments-prod',
    ]);
  });

  it('reads again and retries once when the revision went stale meanwhile', async () => {
    const client = apiWith(SPEC);
    // Someone else scaled the gpu pool between our read and our write.
    const stale = structuredClone(await client.getCluster('payments-prod'));
    client.getCluster.mockResolvedValueOnce(stale);
    await client.updateCluster('payments-prod', {
      revision: 4,
      nodePools: SPEC.nodePools.map(p =>
        p.name === 'gpu' ? { ...p, minSize: 2, maxSize: 2, desiredSize: 2 } : p,
      ),
    });
    client.updateCluster.mockClear();

    const ctx = context({
      name: 'payments-prod',
      nodePools: { change: [{ name: 'general', desiredSize: 6 }] },
    });
    await createClusterUpdateAction({ client, auth }).handler(ctx);

    expect(client.updateCluster).toHaveBeenCalledTimes(2);
    expect(patchOf(client, 0).revision).toBe(4);
    // The retry keeps the other writer's change and adds ours.
    expect(patchOf(client, 1)).toEqual({
      revision: 5,
      nodePools: [
        { ...SPEC.nodePools[0], desiredSize: 6 },
        { ...SPEC.nodePools[1], minSize: 2, maxSize: 2, desiredSize: 2 },
      ],
    });
    expect(outputs(ctx)).toMatchObject({ revision: 6, changed: true });
    expect(ctx.logger.warn).toHaveBeenCalledWith(
      'Cluster payments-prod changed since it was read; reading it again',
    );
  });

  it('gives up with a ConflictError when the revision is stale twice', async () => {
    const client = apiWith(SPEC);
    client.updateCluster.mockRejectedValue(
      await responseError(409, 'cluster "payments-prod" changed meanwhile'),
    );
    const run = createClusterUpdateAction({ client, auth }).handler(
      context({ name: 'payments-prod', kubernetesVersion: '1.33' }),
    );
    await expect(run).rejects.toThrow(ConflictError);
    await expect(run).rejects.toThrow(
      'Updating cluster payments-prod failed: cluster "payments-prod" changed meanwhile',
    );
    expect(client.updateCluster).toHaveBeenCalledTimes(2);
  });

  it.each([
    [{}, /^nothing to change: give kubernetesVersion, or nodePools/],
    [{ kubernetesVersion: '' }, /^nothing to change/],
    [
      { kubernetesVersion: '1.33.2' },
      /^kubernetesVersion: must be a minor version/,
    ],
    [
      { nodePools: { change: [{ name: 'general' }] } },
      /^nodePools\.change\[0\]: names no field to change/,
    ],
    [
      { nodePools: { change: [{ name: 'general', desiredSize: -1 }] } },
      /^nodePools\.change\[0\]\.desiredSize: /,
    ],
    [
      {
        nodePools: {
          change: [{ name: 'gpu', desiredSize: 2 }],
          remove: ['gpu'],
        },
      },
      /^nodePools\.remove\[0\]: node pool "gpu" is already named in nodePools\.change/,
    ],
    [{ nodePools: { scale: [] } }, /^nodePools: Unrecognized key: "scale"/],
  ])('refuses %j before calling the API', async (bad, message) => {
    const client = apiWith(SPEC);
    const run = createClusterUpdateAction({ client, auth }).handler(
      context({ name: 'payments-prod', ...bad }),
    );
    await expect(run).rejects.toThrow(InputError);
    await expect(
      createClusterUpdateAction({ client, auth }).handler(
        context({ name: 'payments-prod', ...bad }),
      ),
    ).rejects.toThrow(message);
    expect(client.getCluster).not.toHaveBeenCalled();
  });

  it.each([
    [
      { nodePools: { change: [{ name: 'general', desiredSize: 9 }] } },
      InputError,
      /^nodePools\.change\[0\]\.desiredSize: desiredSize \(9\) must be between minSize \(2\) and maxSize \(6\)$/,
    ],
    [
      { nodePools: { change: [{ name: 'spot', desiredSize: 1 }] } },
      InputError,
      /^nodePools\.change\[0\]\.name: cluster payments-prod has no node pool "spot" \(it has general, gpu\)$/,
    ],
    [
      { nodePools: { remove: ['general', 'gpu'] } },
      InputError,
      /^nodePools\.remove: would remove every node pool of cluster payments-prod/,
    ],
    [
      {
        nodePools: {
          add: [
            {
              name: 'gpu',
              machineType: 'p4d.24xlarge',
              minSize: 0,
              maxSize: 1,
            },
          ],
        },
      },
      ConflictError,
      /^nodePools\.add\[0\]: cluster payments-prod already has a node pool "gpu" that differs; use nodePools\.change/,
    ],
    [
      {
        nodePools: {
          add: [{ name: 'batch', machineType: 'c5', minSize: 3, maxSize: 1 }],
        },
      },
      InputError,
      /^nodePools\.add\[0\]\.minSize: minSize \(3\) is greater than maxSize \(1\)/,
    ],
    [
      { kubernetesVersion: '1.31' },
      InputError,
      /^kubernetesVersion: cluster payments-prod already runs 1\.32; 1\.31 would be a downgrade/,
    ],
  ])(
    'refuses %j against the spec it reads, without writing',
    async (bad, type, message) => {
      const client = apiWith(SPEC);
      const run = createClusterUpdateAction({ client, auth }).handler(
        context({ name: 'payments-prod', ...bad }),
      );
      await expect(run).rejects.toThrow(type);
      await expect(
        createClusterUpdateAction({ client, auth }).handler(
          context({ name: 'payments-prod', ...bad }),
        ),
      ).rejects.toThrow(message);
      expect(client.updateCluster).not.toHaveBeenCalled();
    },
  );

  it('refuses an imported cluster', async () => {
    const client = apiWith(undefined);
    await expect(
      createClusterUpdateAction({ client, auth }).handler(
        context({ name: 'payments-prod', kubernetesVersion: '1.33' }),
      ),
    ).rejects.toThrow(
      new InputError(
        'cluster payments-prod is imported: it is managed where it runs, the portal cannot scale or upgrade it',
      ),
    );
  });

  it('refuses a cluster being deleted', async () => {
    const client = apiWith(SPEC);
    client.getCluster.mockResolvedValue({
      ...cluster('payments-prod', 'Deleting'),
      spec: SPEC,
    });
    await expect(
      createClusterUpdateAction({ client, auth }).handler(
        context({ name: 'payments-prod', kubernetesVersion: '1.33' }),
      ),
    ).rejects.toThrow(ConflictError);
    expect(client.updateCluster).not.toHaveBeenCalled();
  });

  it.each([
    [404, NotFoundError, 'cluster "payments-prod" not found'],
    [403, NotAllowedError, 'not allowed'],
  ])(
    'passes on a %i of the API as its Backstage error',
    async (status, type, message) => {
      const client = apiWith(SPEC);
      client.getCluster.mockRejectedValue(await responseError(status, message));
      const run = createClusterUpdateAction({ client, auth }).handler(
        context({ name: 'payments-prod', kubernetesVersion: '1.33' }),
      );
      await expect(run).rejects.toThrow(type);
      await expect(run).rejects.toThrow(
        `Updating cluster payments-prod failed: ${message}`,
      );
    },
  );

  it("passes on the API's refusal of a version it does not offer", async () => {
    const client = apiWith(SPEC);
    client.updateCluster.mockRejectedValue(
      await responseError(
        400,
        'kubernetesVersion: 1.40 is not offered for eks (offered: 1.31, 1.32, 1.33)',
      ),
    );
    await expect(
      createClusterUpdateAction({ client, auth }).handler(
        context({ name: 'payments-prod', kubernetesVersion: '1.40' }),
      ),
    ).rejects.toThrow(
      new InputError(
        'Updating cluster payments-prod failed: kubernetesVersion: 1.40 is not offered for eks (offered: 1.31, 1.32, 1.33)',
      ),
    );
  });

  it('on a dry run reads the cluster and says what would change, without writing', async () => {
    const client = apiWith(SPEC);
    const ctx = context(
      {
        name: 'payments-prod',
        kubernetesVersion: '1.33',
        nodePools: { change: [{ name: 'gpu', taints: [] }], remove: ['old'] },
      },
      { isDryRun: true },
    );
    await createClusterUpdateAction({ client, auth }).handler(ctx);
    expect(client.updateCluster).not.toHaveBeenCalled();
    expect(ctx.logger.info).toHaveBeenCalledWith(
      'Dry run: would update cluster payments-prod: kubernetesVersion 1.32 -> 1.33; node pools changed: gpu',
    );
    expect(outputs(ctx)).toEqual({
      name: 'payments-prod',
      revision: 4,
      phase: 'Updating',
      changed: true,
    });
  });
});
