import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  makeCluster,
  mockClustersApi,
  responseError,
} from '../../__testUtils__/mocks';
import { renderClusterPage as render } from '../../__testUtils__/renderClusterPage';

describe('ClusterPage', () => {
  it('shows spec, status and the history newest first', async () => {
    const api = mockClustersApi({
      getCluster: jest.fn(async () =>
        makeCluster({
          status: { phase: 'Error', message: 'nodegroup quota exceeded' },
        }),
      ),
      getClusterHistory: jest.fn(async () => [
        { phase: 'Pending' as const, at: '2025-01-02T10:00:00Z' },
        {
          phase: 'Error' as const,
          message: 'nodegroup quota exceeded',
          at: '2025-01-02T10:20:00Z',
        },
        { phase: 'Provisioning' as const, at: '2025-01-02T10:01:00Z' },
      ]),
    });
    await render(api);
    expect(await screen.findByTestId('cluster-status')).toHaveAttribute(
      'data-phase',
      'Error',
    );
    expect(api.getCluster).toHaveBeenCalledWith('prod-1');
    expect(screen.getByTestId('cluster-status-message')).toHaveTextContent(
      'nodegroup quota exceeded',
    );
    expect(screen.getByText('eu-west-1')).toBeInTheDocument();
    expect(screen.getByText('aws-main')).toBeInTheDocument();
    expect(
      screen
        .getAllByTestId('history-entry')
        .map(e => e.getAttribute('data-phase')),
    ).toEqual(['Error', 'Provisioning', 'Pending']);
  });

  it('scales a node pool with the revision it applies to', async () => {
    const api = mockClustersApi({
      getCluster: jest.fn(async () => makeCluster()),
      updateCluster: jest.fn(async () =>
        makeCluster({ status: { phase: 'Updating' }, revision: 8 }),
      ),
    });
    await render(api);
    const row = await screen.findByTestId('node-pool-row-default');
    expect(within(row).getByText('m5.large')).toBeInTheDocument();
    fireEvent.change(await screen.findByTestId('scale-default-desired'), {
      target: { value: '3' },
    });
    fireEvent.change(screen.getByTestId('scale-default-max'), {
      target: { value: '5' },
    });
    await userEvent.click(screen.getByTestId('scale-default-save'));
    await waitFor(() =>
      expect(api.updateCluster).toHaveBeenCalledWith('prod-1', {
        revision: 7,
        nodePools: [
          {
            name: 'default',
            machineType: 'm5.large',
            minSize: 1,
            desiredSize: 3,
            maxSize: 5,
            labels: {},
            taints: [],
          },
        ],
      }),
    );
    // The page reloads to show the change under way.
    await waitFor(() => expect(api.getCluster).toHaveBeenCalledTimes(2));
  });

  it('refuses a desired size outside min and max without calling the API', async () => {
    const api = mockClustersApi({
      getCluster: jest.fn(async () => makeCluster()),
    });
    await render(api);
    fireEvent.change(await screen.findByTestId('scale-default-desired'), {
      target: { value: '9' },
    });
    await userEvent.click(screen.getByTestId('scale-default-save'));
    expect(await screen.findByTestId('scale-default-error')).toHaveTextContent(
      'desiredSize (9) must be between minSize (1) and maxSize (3)',
    );
    expect(api.updateCluster).not.toHaveBeenCalled();
  });

  it('reloads and says so when the cluster changed meanwhile (409)', async () => {
    const api = mockClustersApi({
      getCluster: jest
        .fn()
        .mockResolvedValueOnce(makeCluster())
        .mockResolvedValue(makeCluster({ revision: 9 })),
      updateCluster: jest.fn(async () => {
        throw await responseError(409, 'revision 7 is stale, current is 9');
      }),
    });
    await render(api);
    fireEvent.change(await screen.findByTestId('scale-default-max'), {
      target: { value: '4' },
    });
    await userEvent.click(screen.getByTestId('scale-default-save'));
    expect(await screen.findByTestId('cluster-notice')).toHaveTextContent(
      'The cluster changed meanwhile, reloaded.',
    );
    await waitFor(() => expect(api.getCluster).toHaveBeenCalledTimes(2));
    // The inputs show the reloaded cluster, not the refused edit.
    await waitFor(() =>
      expect(screen.getByTestId('scale-default-max')).toHaveValue(3),
    );
  });

  it('shows the server message when a change is refused', async () => {
    const api = mockClustersApi({
      getCluster: jest.fn(async () => makeCluster()),
      updateCluster: jest.fn(async () => {
        throw await responseError(
          400,
          'kubernetesVersion: 1.33 is not offered',
        );
      }),
    });
    await render(api);
    const select = await screen.findByTestId('upgrade-version-select');
    expect(
      within(select)
        .getAllByRole('option')
        .map(o => o.textContent),
    ).toEqual(['1.32', '1.33']);
    fireEvent.change(select, { target: { value: '1.33' } });
    await userEvent.click(screen.getByTestId('upgrade-button'));
    expect(api.updateCluster).toHaveBeenCalledWith('prod-1', {
      revision: 7,
      kubernetesVersion: '1.33',
    });
    expect(await screen.findByTestId('cluster-notice')).toHaveTextContent(
      'kubernetesVersion: 1.33 is not offered',
    );
  });

  it('offers the upgrades the settings list above the current version', async () => {
    const api = mockClustersApi({
      getCluster: jest.fn(async () => makeCluster()),
      getSettings: jest.fn(async () => ({
        provisioning: { available: true },
        offeredVersions: {
          eks: ['1.35', '1.30', '1.31', '1.34'],
          aks: ['1.40'],
        },
      })),
    });
    await render(api);
    const select = await screen.findByTestId('upgrade-version-select');
    expect(
      within(select)
        .getAllByRole('option')
        .map(o => o.textContent),
    ).toEqual(['1.34', '1.35']);
  });

  it('says there is nothing to upgrade to when the settings offer no newer version', async () => {
    const api = mockClustersApi({
      getCluster: jest.fn(async () => makeCluster()),
      getSettings: jest.fn(async () => ({
        provisioning: { available: true },
        offeredVersions: { eks: ['1.30', '1.31'] },
      })),
    });
    await render(api);
    expect(await screen.findByTestId('upgrade-none')).toHaveTextContent(
      'The cluster runs the newest offered version.',
    );
    expect(screen.queryByTestId('upgrade-version-select')).toBeNull();
  });

  it('deletes only once the cluster name is typed', async () => {
    const api = mockClustersApi({
      getCluster: jest.fn(async () => makeCluster()),
      deleteCluster: jest.fn(async () =>
        makeCluster({ status: { phase: 'Deleting' } }),
      ),
    });
    await render(api);
    await userEvent.click(await screen.findByTestId('delete-cluster-button'));
    const confirm = screen.getByTestId('delete-confirm-button');
    expect(confirm).toBeDisabled();
    await userEvent.type(screen.getByTestId('delete-confirm-input'), 'prod-');
    expect(confirm).toBeDisabled();
    fireEvent.click(confirm);
    expect(api.deleteCluster).not.toHaveBeenCalled();
    await userEvent.type(screen.getByTestId('delete-confirm-input'), '1');
    expect(confirm).toBeEnabled();
    await userEvent.click(confirm);
    await waitFor(() =>
      expect(api.deleteCluster).toHaveBeenCalledWith('prod-1'),
    );
  });

  it('hides the kubeconfig download without permission', async () => {
    // Another cluster name: the permission hook caches answers per request.
    const api = mockClustersApi({
      getCluster: jest.fn(async () => makeCluster({ name: 'secret-1' })),
    });
    const authorize = jest.fn((): AuthorizeResult.DENY => AuthorizeResult.DENY);
    await render(api, { authorize }, 'secret-1');
    await screen.findByTestId('cluster-status');
    await waitFor(() =>
      expect(authorize).toHaveBeenCalledWith(
        expect.objectContaining({
          permission: expect.objectContaining({
            name: 'cluster.kubeconfig.read',
          }),
          resourceRef: 'secret-1',
        }),
      ),
    );
    expect(
      screen.queryByTestId('download-kubeconfig-button'),
    ).not.toBeInTheDocument();
    expect(screen.getByTestId('delete-cluster-button')).toBeInTheDocument();
  });

  it('downloads the kubeconfig as <name>-kubeconfig.yaml when allowed', async () => {
    const api = mockClustersApi({
      getCluster: jest.fn(async () => makeCluster()),
      getKubeconfig: jest.fn(async () => 'apiVersion: v1\nkind: Config\n'),
    });
    const createObjectURL = jest.fn((_: Blob) => 'blob:kubeconfig');
    const revokeObjectURL = jest.fn();
    Object.assign(URL, { createObjectURL, revokeObjectURL });
    const click = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(function clickLink(this: HTMLAnchorElement) {
        expect(this.download).toBe('prod-1-kubeconfig.yaml');
        expect(this.href).toBe('blob:kubeconfig');
      });
    try {
      await render(api);
      await userEvent.click(
        await screen.findByTestId('download-kubeconfig-button'),
      );
      await waitFor(() => expect(click).toHaveBeenCalledTimes(1));
      expect(api.getKubeconfig).toHaveBeenCalledWith('prod-1');
      expect(await createObjectURL.mock.calls[0][0].text()).toBe(
        'apiVersion: v1\nkind: Config\n',
      );
      expect(revokeObjectURL).toHaveBeenCalledWith('blob:kubeconfig');
    } finally {
      click.mockRestore();
    }
  });
});
