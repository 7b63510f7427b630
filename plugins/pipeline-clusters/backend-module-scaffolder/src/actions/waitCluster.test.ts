import { InputError, NotFoundError } from '@backstage/errors';
import { ClusterPhase } from '@pipeline-portal/plugin-pipeline-clusters-common';
import { createClusterWaitAction, WaitClock } from './waitCluster';
import {
  auth,
  cluster,
  context,
  mockClient,
  outputs,
  responseError,
} from './__testUtils__/helpers';

/** A clock whose sleeps advance time at once. */
function fakeClock() {
  let now = 0;
  const sleeps: number[] = [];
  const clock: WaitClock = {
    now: () => now,
    sleep: async ms => {
      sleeps.push(ms);
      now += ms;
    },
  };
  return { clock, sleeps };
}

function phases(
  client: ReturnType<typeof mockClient>,
  ...list: Array<ClusterPhase | Error>
) {
  for (const item of list) {
    if (item instanceof Error) client.getCluster.mockRejectedValueOnce(item);
    else
      client.getCluster.mockResolvedValueOnce(
        cluster(
          'c1',
          item,
          item === 'Error'
            ? { message: 'quota exceeded for m5.large in eu-west-1' }
            : { kubernetesVersion: '1.32' },
        ),
      );
  }
}

describe('pipeline:cluster:wait', () => {
  it('polls until Running and logs each phase change once', async () => {
    const client = mockClient();
    phases(client, 'Pending', 'Provisioning', 'Provisioning', 'Running');
    const { clock, sleeps } = fakeClock();
    const ctx = context({ name: 'c1' });
    await createClusterWaitAction({ client, auth, clock }).handler(ctx);

    expect(client.getCluster).toHaveBeenCalledTimes(4);
    expect(sleeps).toEqual([10000, 10000, 10000]);
    expect(ctx.logger.info.mock.calls.map(c => c[0])).toEqual([
      'Cluster c1 is Pending',
      'Cluster c1 is Provisioning',
      'Cluster c1 is Running',
    ]);
    expect(outputs(ctx)).toEqual({
      name: 'c1',
      phase: 'Running',
      kubernetesVersion: '1.32',
    });
  });

  it("fails with the engine's message on Error", async () => {
    const client = mockClient();
    phases(client, 'Provisioning', 'Error');
    const { clock } = fakeClock();
    await expect(
      createClusterWaitAction({ client, auth, clock }).handler(
        context({ name: 'c1' }),
      ),
    ).rejects.toThrow(
      'Cluster c1 failed: quota exceeded for m5.large in eu-west-1',
    );
  });

  it('fails on timeout with the last phase', async () => {
    const client = mockClient();
    client.getCluster.mockResolvedValue(cluster('c1', 'Provisioning'));
    const { clock, sleeps } = fakeClock();
    await expect(
      createClusterWaitAction({ client, auth, clock }).handler(
        context({ name: 'c1', timeoutSeconds: 25, pollSeconds: 10 }),
      ),
    ).rejects.toThrow(
      'Timed out after 25s waiting for cluster c1 to be Running; last phase: Provisioning',
    );
    // the last sleep is cut to the deadline
    expect(sleeps).toEqual([10000, 10000, 5000]);
  });

  it('times out for real with the default clock', async () => {
    const client = mockClient();
    client.getCluster.mockResolvedValue(cluster('c1', 'Pending'));
    const started = Date.now();
    await expect(
      createClusterWaitAction({ client, auth }).handler(
        context({ name: 'c1', timeoutSeconds: 1, pollSeconds: 1 }),
      ),
    ).rejects.toThrow('last phase: Pending');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('counts a 404 as done when waiting for Deleted', async () => {
    const client = mockClient();
    phases(client, 'Deleting', await responseError(404, 'not found'));
    const { clock } = fakeClock();
    const ctx = context({ name: 'c1', until: 'Deleted' });
    await createClusterWaitAction({ client, auth, clock }).handler(ctx);
    expect(outputs(ctx)).toEqual({ name: 'c1', phase: 'Deleted' });
    expect(ctx.logger.info).toHaveBeenLastCalledWith('Cluster c1 is Deleted');
  });

  it('fails at once for a missing cluster when waiting for Running', async () => {
    const client = mockClient();
    phases(client, await responseError(404, 'not found'));
    const { clock } = fakeClock();
    await expect(
      createClusterWaitAction({ client, auth, clock }).handler(
        context({ name: 'c1' }),
      ),
    ).rejects.toThrow(NotFoundError);
  });

  it('keeps polling through API outages', async () => {
    const client = mockClient();
    phases(
      client,
      'Provisioning',
      await responseError(503, 'restarting'),
      'Running',
    );
    const { clock } = fakeClock();
    const ctx = context({ name: 'c1' });
    await createClusterWaitAction({ client, auth, clock }).handler(ctx);
    expect(outputs(ctx).phase).toBe('Running');
    expect(ctx.logger.warn).toHaveBeenCalledTimes(1);
  });

  it('gives up when the cluster is being deleted instead', async () => {
    const client = mockClient();
    phases(client, 'Deleting');
    const { clock } = fakeClock();
    await expect(
      createClusterWaitAction({ client, auth, clock }).handler(
        context({ name: 'c1' }),
      ),
    ).rejects.toThrow('Cluster c1 is Deleting; it will not become Running');
  });

  it.each([
    [{ timeoutSeconds: 7201 }, /^timeoutSeconds: /],
    [{ pollSeconds: 0 }, /^pollSeconds: /],
    [{ until: 'Pending' }, /^until: /],
  ])('refuses %j naming the field', async (bad, message) => {
    const client = mockClient();
    const action = createClusterWaitAction({ client, auth });
    await expect(
      action.handler(context({ name: 'c1', ...bad })),
    ).rejects.toThrow(InputError);
    await expect(
      action.handler(context({ name: 'c1', ...bad })),
    ).rejects.toThrow(message);
    expect(client.getCluster).not.toHaveBeenCalled();
  });
});
