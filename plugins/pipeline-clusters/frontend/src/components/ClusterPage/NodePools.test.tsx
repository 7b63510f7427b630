import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { NodePool } from '@pipeline-portal/plugin-pipeline-clusters-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  makeCluster,
  makeNodePool,
  mockClustersApi,
  responseError,
} from '../../__testUtils__/mocks';
import { renderClusterPage } from '../../__testUtils__/renderClusterPage';

const DEFAULT_POOL = makeNodePool();

const GPU_POOL = makeNodePool({
  name: 'gpu',
  machineType: 'g5.xlarge',
  minSize: 0,
  desiredSize: 1,
  maxSize: 2,
  labels: { 'example.com/role': 'gpu' },
  taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }],
});

function clusterWith(pools: NodePool[], revision = 7, phase = 'Running') {
  const cluster = makeCluster({
    revision,
    status: { phase: phase as 'Running', kubernetesVersion: '1.31' },
  });
  return { ...cluster, spec: { ...cluster.spec!, nodePools: pools } };
}

const type = (testId: string, value: string) =>
  fireEvent.change(screen.getByTestId(testId), { target: { value } });

/** Opens Add node pool and fills the pool of GPU_POOL, label and taint included. */
async function fillGpuPool() {
  await userEvent.click(await screen.findByTestId('add-node-pool-button'));
  type('pool-form-name', 'gpu');
  type('pool-form-machineType', 'g5.xlarge');
  type('pool-form-minSize', '0');
  type('pool-form-desiredSize', '1');
  type('pool-form-maxSize', '2');
  await userEvent.click(screen.getByTestId('pool-add-label'));
  type('pool-label-0-key', 'example.com/role');
  type('pool-label-0-value', 'gpu');
  await userEvent.click(screen.getByTestId('pool-add-taint'));
  type('pool-taint-0-key', 'nvidia.com/gpu');
  type('pool-taint-0-value', 'present');
  type('pool-taint-0-effect', 'NoSchedule');
}

/** The helper text under the input with this test id. */
function helperOf(testId: string) {
  const input = screen.getByTestId(testId);
  const control = input.closest('.MuiFormControl-root') as HTMLElement;
  return control.querySelector('.MuiFormHelperText-root')?.textContent;
}

describe('node pools on the cluster page', () => {
  it('adds a pool with a label and a taint, busy while the PATCH runs', async () => {
    let answer: (value: unknown) => void = () => undefined;
    const api = mockClustersApi({
      getCluster: jest
        .fn()
        .mockResolvedValueOnce(clusterWith([DEFAULT_POOL]))
        .mockResolvedValue(
          clusterWith([DEFAULT_POOL, GPU_POOL], 8, 'Updating'),
        ),
      updateCluster: jest.fn(() => new Promise(resolve => (answer = resolve))),
    });
    await renderClusterPage(api);
    await fillGpuPool();
    // A row left blank adds nothing.
    await userEvent.click(screen.getByTestId('pool-add-label'));
    await userEvent.click(screen.getByTestId('node-pool-submit'));

    expect(api.updateCluster).toHaveBeenCalledTimes(1);
    expect(api.updateCluster.mock.calls[0]).toEqual([
      'prod-1',
      { revision: 7, nodePools: [DEFAULT_POOL, GPU_POOL] },
    ]);
    expect(screen.getByTestId('node-pool-submit')).toBeDisabled();
    expect(screen.getByTestId('node-pool-progress')).toBeInTheDocument();

    answer(clusterWith([DEFAULT_POOL, GPU_POOL], 8, 'Updating'));
    await waitFor(() =>
      expect(screen.queryByTestId('node-pool-submit')).toBeNull(),
    );
    // Reloaded: the new pool shows, and the operation under way.
    const row = await screen.findByTestId('node-pool-row-gpu');
    expect(within(row).getByTestId('node-pool-labels-gpu')).toHaveTextContent(
      'example.com/role=gpu',
    );
    expect(within(row).getByTestId('node-pool-taints-gpu')).toHaveTextContent(
      'nvidia.com/gpu=present:NoSchedule',
    );
    expect(screen.getByTestId('cluster-operation')).toHaveTextContent(
      'Updating',
    );
    expect(screen.getByTestId('add-node-pool-button')).toBeDisabled();
    expect(screen.getByTestId('remove-pool-gpu')).toBeDisabled();
  });

  it('shows what is wrong in the add form and sends nothing', async () => {
    const api = mockClustersApi({
      getCluster: jest.fn(async () => clusterWith([DEFAULT_POOL])),
    });
    await renderClusterPage(api);
    await fillGpuPool();
    type('pool-form-name', 'GPU_pool');
    type('pool-form-minSize', '3');
    type('pool-label-0-key', 'bad key!');
    await userEvent.click(screen.getByTestId('pool-add-label'));
    type('pool-label-1-key', 'bad key!');
    await userEvent.click(screen.getByTestId('pool-add-taint'));
    type('pool-taint-1-key', 'nvidia.com/gpu');
    type('pool-taint-1-effect', 'NoSchedule');
    await userEvent.click(screen.getByTestId('node-pool-submit'));

    expect(helperOf('pool-form-name')).toMatch(/must be an RFC 1123 label/);
    expect(screen.getByTestId('pool-form-name')).toHaveAttribute(
      'aria-invalid',
      'true',
    );
    expect(helperOf('pool-form-minSize')).toBe(
      'minSize (3) is greater than maxSize (2)',
    );
    expect(helperOf('pool-label-0-key')).toBe(
      "name must be 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
    );
    expect(helperOf('pool-label-1-key')).toBe('duplicate label key "bad key!"');
    expect(helperOf('pool-taint-1-key')).toBe(
      'duplicate taint "nvidia.com/gpu" (NoSchedule)',
    );

    // A name the cluster has already.
    type('pool-form-name', 'default');
    type('pool-form-minSize', '0');
    type('pool-label-0-key', 'tier');
    await userEvent.click(screen.getByTestId('pool-label-1-remove'));
    await userEvent.click(screen.getByTestId('pool-taint-1-remove'));
    type('pool-label-0-value', 'not a value');
    await userEvent.click(screen.getByTestId('node-pool-submit'));
    expect(helperOf('pool-form-name')).toBe(
      'the cluster has a node pool named "default" already',
    );
    expect(helperOf('pool-label-0-value')).toBe(
      "must consist of letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
    );
    expect(helperOf('pool-form-minSize')).toBeFalsy();

    expect(api.updateCluster).not.toHaveBeenCalled();
    expect(screen.getByTestId('node-pool-submit')).toBeEnabled();
  });

  it('shows the API refusal beside the form and marks the field it names', async () => {
    const api = mockClustersApi({
      getCluster: jest.fn(async () => clusterWith([DEFAULT_POOL])),
      updateCluster: jest.fn(async () => {
        throw await responseError(
          400,
          'invalid cluster change: nodePools[1].machineType: g5.xlarge is not offered in eu-west-1',
        );
      }),
    });
    await renderClusterPage(api);
    await fillGpuPool();
    await userEvent.click(screen.getByTestId('node-pool-submit'));

    expect(await screen.findByTestId('node-pool-error')).toHaveTextContent(
      'invalid cluster change: nodePools[1].machineType: g5.xlarge is not offered in eu-west-1',
    );
    expect(helperOf('pool-form-machineType')).toBe(
      'g5.xlarge is not offered in eu-west-1',
    );
    // Still open with the input, ready to be corrected.
    expect(screen.getByTestId('pool-label-0-key')).toHaveValue(
      'example.com/role',
    );
    expect(screen.getByTestId('node-pool-submit')).toBeEnabled();
  });

  it('reloads on a stale revision, says so, and sends again against the new one', async () => {
    const other: NodePool = { ...DEFAULT_POOL, name: 'batch' };
    const api = mockClustersApi({
      getCluster: jest
        .fn()
        .mockResolvedValueOnce(clusterWith([DEFAULT_POOL]))
        .mockResolvedValue(clusterWith([DEFAULT_POOL, other], 9)),
      updateCluster: jest
        .fn()
        .mockImplementationOnce(async () => {
          throw await responseError(409, 'cluster "prod-1" changed meanwhile');
        })
        .mockResolvedValue(clusterWith([DEFAULT_POOL, other, GPU_POOL], 10)),
    });
    await renderClusterPage(api);
    await fillGpuPool();
    await userEvent.click(screen.getByTestId('node-pool-submit'));

    expect(await screen.findByTestId('node-pool-error')).toHaveTextContent(
      'The cluster changed meanwhile and was reloaded',
    );
    await waitFor(() => expect(api.getCluster).toHaveBeenCalledTimes(2));
    await screen.findByTestId('node-pool-row-batch');
    expect(screen.getByTestId('pool-form-name')).toHaveValue('gpu');

    await userEvent.click(screen.getByTestId('node-pool-submit'));
    await waitFor(() => expect(api.updateCluster).toHaveBeenCalledTimes(2));
    expect(api.updateCluster.mock.calls[1]).toEqual([
      'prod-1',
      { revision: 9, nodePools: [DEFAULT_POOL, other, GPU_POOL] },
    ]);
  });

  it('removes a pool once the dialog naming it is confirmed', async () => {
    const api = mockClustersApi({
      getCluster: jest
        .fn()
        .mockResolvedValueOnce(clusterWith([DEFAULT_POOL, GPU_POOL]))
        .mockResolvedValue(clusterWith([DEFAULT_POOL], 8, 'Updating')),
      updateCluster: jest.fn(async () =>
        clusterWith([DEFAULT_POOL], 8, 'Updating'),
      ),
    });
    await renderClusterPage(api);
    await userEvent.click(await screen.findByTestId('remove-pool-gpu'));
    expect(screen.getByRole('dialog')).toHaveTextContent(
      'Remove node pool gpu?',
    );
    expect(screen.getByTestId('remove-pool-text')).toHaveTextContent(
      'The nodes of gpu (g5.xlarge, 1 desired)',
    );
    expect(api.updateCluster).not.toHaveBeenCalled();

    await userEvent.click(screen.getByTestId('remove-pool-submit'));
    await waitFor(() =>
      expect(api.updateCluster).toHaveBeenCalledWith('prod-1', {
        revision: 7,
        nodePools: [DEFAULT_POOL],
      }),
    );
    await waitFor(() =>
      expect(screen.queryByTestId('node-pool-row-gpu')).toBeNull(),
    );
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('keeps the last pool, saying why', async () => {
    const api = mockClustersApi({
      getCluster: jest.fn(async () => clusterWith([DEFAULT_POOL])),
    });
    await renderClusterPage(api);
    const remove = await screen.findByTestId('remove-pool-default');
    expect(remove).toBeDisabled();
    await userEvent.hover(remove.parentElement!);
    expect(await screen.findByRole('tooltip')).toHaveTextContent(
      'The last node pool cannot be removed: add another one first.',
    );
  });

  it('edits the labels and taints of a pool, leaving the rest as it is', async () => {
    const web: NodePool = {
      ...DEFAULT_POOL,
      labels: { tier: 'web', zone: 'a' },
      taints: [{ key: 'spot', effect: 'PreferNoSchedule' }],
    };
    const api = mockClustersApi({
      getCluster: jest.fn(async () => clusterWith([web, GPU_POOL])),
      updateCluster: jest.fn(async () => clusterWith([web, GPU_POOL], 8)),
    });
    await renderClusterPage(api);
    await userEvent.click(await screen.findByTestId('edit-pool-default'));
    expect(screen.getByRole('dialog')).toHaveTextContent(
      'Labels and taints of node pool default',
    );
    // The same editor as when adding, filled with what the pool has.
    expect(screen.queryByTestId('pool-form-name')).toBeNull();
    expect(screen.getByTestId('pool-label-0-key')).toHaveValue('tier');
    expect(screen.getByTestId('pool-label-1-value')).toHaveValue('a');
    expect(screen.getByTestId('pool-taint-0-effect')).toHaveValue(
      'PreferNoSchedule',
    );

    type('pool-label-0-value', 'api');
    await userEvent.click(screen.getByTestId('pool-label-1-remove'));
    await userEvent.click(screen.getByTestId('pool-add-taint'));
    type('pool-taint-1-key', 'dedicated');
    type('pool-taint-1-value', 'api');
    type('pool-taint-1-effect', 'NoExecute');
    await userEvent.click(screen.getByTestId('node-pool-submit'));

    await waitFor(() =>
      expect(api.updateCluster).toHaveBeenCalledWith('prod-1', {
        revision: 7,
        nodePools: [
          {
            ...DEFAULT_POOL,
            labels: { tier: 'api' },
            taints: [
              { key: 'spot', effect: 'PreferNoSchedule' },
              { key: 'dedicated', value: 'api', effect: 'NoExecute' },
            ],
          },
          GPU_POOL,
        ],
      }),
    );
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });

  it('offers no change of the cluster without cluster.update', async () => {
    const api = mockClustersApi({
      getCluster: jest.fn(async () => {
        const cluster = clusterWith([DEFAULT_POOL, GPU_POOL]);
        return { ...cluster, name: 'locked-1' };
      }),
    });
    const authorize = jest.fn(({ permission }) =>
      permission.name === 'cluster.update'
        ? AuthorizeResult.DENY
        : AuthorizeResult.ALLOW,
    );
    await renderClusterPage(api, { authorize }, 'locked-1');
    await screen.findByTestId('node-pool-row-gpu');
    await waitFor(() =>
      expect(authorize).toHaveBeenCalledWith(
        expect.objectContaining({
          permission: expect.objectContaining({ name: 'cluster.update' }),
          resourceRef: 'locked-1',
        }),
      ),
    );
    // Allowed permissions still show: the kubeconfig download.
    await screen.findByTestId('download-kubeconfig-button');
    expect(screen.getByTestId('upgrade-not-allowed')).toBeInTheDocument();
    for (const testId of [
      'add-node-pool-button',
      'edit-pool-gpu',
      'remove-pool-gpu',
      'scale-gpu-desired',
      'scale-gpu-save',
      'upgrade-button',
    ]) {
      expect(screen.queryByTestId(testId)).toBeNull();
    }
    // The sizes and the pool's labels and taints are still shown.
    expect(screen.getByTestId('size-gpu-desired')).toHaveTextContent('1');
    expect(screen.getByTestId('node-pool-taints-gpu')).toHaveTextContent(
      'nvidia.com/gpu=present:NoSchedule',
    );
  });
});
