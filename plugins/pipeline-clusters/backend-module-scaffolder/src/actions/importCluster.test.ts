import { InputError } from '@backstage/errors';
import { createClusterImportAction, decodeKubeconfig } from './importCluster';
import {
  auth,
  checkpointStore,
  cluster,
  context,
  mockClient,
  outputs,
  responseError,
} from './__testUtils__/helpers';

const KUBECONFIG = [
  'apiVersion: v1',
  'kind: Config',
  'clusters:',
  '- name: onprem',
  '  cluster: {server: https://10.0.0.1:6443}',
  'users:',
  '- name: admin',
  '  user: {token: s3cr3t-t0ken-value-1234567890}',
].join('\n');

const input = {
  name: 'onprem',
  owner: 'group:default/platform',
  kubeconfig: KUBECONFIG,
};

/** Everything the action wrote anywhere a person or the task store can see. */
function leaks(
  ctx: ReturnType<typeof context>,
  checkpoints: ReturnType<typeof checkpointStore>,
) {
  const logged = ['debug', 'info', 'warn', 'error'].flatMap(
    level => (ctx.logger as any)[level].mock.calls,
  );
  return JSON.stringify([
    logged,
    ctx.output.mock.calls,
    [...checkpoints.values],
  ]);
}

describe('pipeline:cluster:import', () => {
  it('imports as the user and never logs, outputs or checkpoints the kubeconfig', async () => {
    const client = mockClient();
    client.importCluster.mockResolvedValue(cluster('onprem', 'Running'));
    const checkpoints = checkpointStore();
    const ctx = context(input, { checkpoints });
    await createClusterImportAction({ client, auth }).handler(ctx);

    expect(client.importCluster).toHaveBeenCalledWith(input, {
      token: expect.any(String),
    });
    expect(outputs(ctx)).toEqual({
      name: 'onprem',
      phase: 'Running',
      clusterUrl: '/clusters/onprem',
      entityRef: 'resource:default/onprem',
    });
    expect(ctx.logger.info).toHaveBeenCalled();
    expect(leaks(ctx, checkpoints)).not.toContain('s3cr3t');
    expect(checkpoints.values.get('cluster-import-onprem')).toEqual({
      name: 'onprem',
      phase: 'Running',
    });
  });

  it('accepts a base64 kubeconfig, as a one-line secret field carries it', async () => {
    const client = mockClient();
    client.importCluster.mockResolvedValue(cluster('onprem', 'Running'));
    const encoded = Buffer.from(KUBECONFIG).toString('base64');
    await createClusterImportAction({ client, auth }).handler(
      context({ ...input, kubeconfig: encoded }),
    );
    expect(client.importCluster.mock.calls[0][0].kubeconfig).toBe(KUBECONFIG);
    expect(decodeKubeconfig('{"apiVersion":"v1"}')).toBe('{"apiVersion":"v1"}');
  });

  it('does not import twice on a retried task', async () => {
    const client = mockClient();
    client.importCluster.mockResolvedValue(cluster('onprem', 'Running'));
    const checkpoints = checkpointStore();
    const action = createClusterImportAction({ client, auth });
    await action.handler(context(input, { checkpoints }));
    await action.handler(context(input, { checkpoints }));
    expect(client.importCluster).toHaveBeenCalledTimes(1);
  });

  it('keeps the kubeconfig out of error messages', async () => {
    const client = mockClient();
    client.importCluster.mockRejectedValue(
      await responseError(
        400,
        'kubeconfig: cannot reach server; user: {token: s3cr3t-t0ken-value-1234567890}',
      ),
    );
    const run = createClusterImportAction({ client, auth }).handler(
      context(input),
    );
    await expect(run).rejects.toThrow(InputError);
    await expect(run).rejects.toThrow(
      /^Importing cluster onprem failed: kubeconfig: cannot reach server; \*\*\*$/,
    );
  });

  it.each([
    [{ owner: 'not a group!' }, /^owner: must be a group entity ref/],
    [{ kubeconfig: '' }, /^kubeconfig: /],
    [{ name: '-x' }, /^name: /],
  ])('refuses %j naming the field', async (bad, message) => {
    const client = mockClient();
    await expect(
      createClusterImportAction({ client, auth }).handler(
        context({ ...input, ...bad }),
      ),
    ).rejects.toThrow(message);
    expect(client.importCluster).not.toHaveBeenCalled();
  });
});
