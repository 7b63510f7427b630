import { NotAllowedError } from '@backstage/errors';
import { createClusterDeleteAction } from './deleteCluster';
import {
  auth,
  checkpointStore,
  cluster,
  context,
  mockClient,
  outputs,
  responseError,
} from './__testUtils__/helpers';

describe('pipeline:cluster:delete', () => {
  it('deletes once, even when retried', async () => {
    const client = mockClient();
    client.deleteCluster.mockResolvedValue(cluster('old', 'Deleting'));
    const checkpoints = checkpointStore();
    const action = createClusterDeleteAction({ client, auth });
    const ctx = context({ name: 'resource:default/old' }, { checkpoints });
    await action.handler(ctx);
    await action.handler(context({ name: 'old' }, { checkpoints }));
    expect(client.deleteCluster).toHaveBeenCalledTimes(1);
    expect(client.deleteCluster).toHaveBeenCalledWith('old', {
      token: expect.any(String),
    });
    expect(outputs(ctx)).toEqual({ name: 'old', phase: 'Deleting' });
  });

  it('treats a cluster that is already gone as deleted', async () => {
    const client = mockClient();
    client.deleteCluster.mockRejectedValue(
      await responseError(404, 'cluster "old" not found'),
    );
    const ctx = context({ name: 'old' });
    await createClusterDeleteAction({ client, auth }).handler(ctx);
    expect(outputs(ctx).phase).toBe('Deleted');
  });

  it('fails when the user may not delete it', async () => {
    const client = mockClient();
    client.deleteCluster.mockRejectedValue(
      await responseError(403, 'not allowed'),
    );
    await expect(
      createClusterDeleteAction({ client, auth }).handler(
        context({ name: 'old' }),
      ),
    ).rejects.toThrow(NotAllowedError);
  });

  it('names the field of a bad name', async () => {
    const client = mockClient();
    await expect(
      createClusterDeleteAction({ client, auth }).handler(
        context({ name: 'Old!' }),
      ),
    ).rejects.toThrow(/^name: must be an RFC 1123 label/);
  });
});
