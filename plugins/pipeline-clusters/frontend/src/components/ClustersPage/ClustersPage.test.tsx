import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { pipelineClustersApiRef } from '../../api';
import { rootRouteRef } from '../../routes';
import {
  makeCluster,
  mockClustersApi,
  MockClustersApi,
  responseError,
} from '../../__testUtils__/mocks';
import { ClustersPage } from './ClustersPage';

function render(api: MockClustersApi) {
  return renderInTestApp(<ClustersPage />, {
    apis: [
      [pipelineClustersApiRef, api],
      mockApis.identity({
        userEntityRef: 'user:default/alice',
        ownershipEntityRefs: [
          'user:default/alice',
          'group:default/payments',
          'group:default/platform',
        ],
      }),
    ],
    mountedRoutes: {
      '/clusters': rootRouteRef,
      '/catalog/:namespace/:kind/:name': entityRouteRef,
    },
  });
}

describe('ClustersPage', () => {
  afterEach(() => jest.useRealTimers());

  it('lists clusters with their status and links, and filters on the server', async () => {
    const api = mockClustersApi({
      listClusters: jest.fn(async () => ({
        items: [
          makeCluster(),
          makeCluster({
            name: 'broken',
            status: { phase: 'Error', message: 'quota exceeded' },
          }),
        ],
        totalCount: 2,
      })),
    });
    await render(api);

    const link = await screen.findByRole('link', { name: 'prod-1' });
    expect(link).toHaveAttribute('href', '/clusters/prod-1');
    const statuses = screen.getAllByTestId('cluster-status');
    expect(statuses.map(s => s.getAttribute('data-phase'))).toEqual([
      'Running',
      'Error',
    ]);
    expect(api.listClusters).toHaveBeenLastCalledWith({ limit: 20 });

    fireEvent.change(screen.getByTestId('filter-phase'), {
      target: { value: 'Error' },
    });
    await waitFor(() =>
      expect(api.listClusters).toHaveBeenLastCalledWith({
        limit: 20,
        phase: 'Error',
      }),
    );

    fireEvent.change(screen.getByTestId('filter-owner'), {
      target: { value: 'group:default/platform' },
    });
    fireEvent.change(screen.getByTestId('filter-distribution'), {
      target: { value: 'gke' },
    });
    await waitFor(() =>
      expect(api.listClusters).toHaveBeenLastCalledWith({
        limit: 20,
        phase: 'Error',
        owner: 'group:default/platform',
        distribution: 'gke',
      }),
    );

    await userEvent.type(screen.getByTestId('filter-search'), 'pro');
    await waitFor(() =>
      expect(api.listClusters).toHaveBeenLastCalledWith(
        expect.objectContaining({ search: 'pro' }),
      ),
    );
  });

  it('pages with the cursor the server returned', async () => {
    const api = mockClustersApi({
      listClusters: jest.fn(async request =>
        request?.cursor
          ? { items: [makeCluster({ name: 'second' })], totalCount: 2 }
          : { items: [makeCluster()], totalCount: 2, nextCursor: 'c1' },
      ),
    });
    await render(api);
    await screen.findByText('prod-1');
    await userEvent.click(screen.getByTestId('clusters-next-page'));
    expect(await screen.findByText('second')).toBeInTheDocument();
    expect(api.listClusters).toHaveBeenLastCalledWith({
      limit: 20,
      cursor: 'c1',
    });
    await userEvent.click(screen.getByTestId('clusters-previous-page'));
    expect(await screen.findByText('prod-1')).toBeInTheDocument();
  });

  it('polls while a cluster is in a transitional phase', async () => {
    jest.useFakeTimers({ advanceTimers: true });
    const api = mockClustersApi({
      listClusters: jest
        .fn()
        .mockResolvedValueOnce({
          items: [makeCluster({ status: { phase: 'Provisioning' } })],
          totalCount: 1,
        })
        .mockResolvedValue({ items: [makeCluster()], totalCount: 1 }),
    });
    await render(api);
    await waitFor(() =>
      expect(screen.getByTestId('cluster-status')).toHaveAttribute(
        'data-phase',
        'Provisioning',
      ),
    );
    jest.advanceTimersByTime(5000);
    await waitFor(() =>
      expect(screen.getByTestId('cluster-status')).toHaveAttribute(
        'data-phase',
        'Running',
      ),
    );
    const calls = api.listClusters.mock.calls.length;
    jest.advanceTimersByTime(15000);
    // Running is terminal: no more polling.
    expect(api.listClusters).toHaveBeenCalledTimes(calls);
  });

  describe('new cluster form', () => {
    const credentials = [
      {
        name: 'aws-main',
        owner: 'group:default/payments',
        kind: 'aws' as const,
        createdAt: '2025-01-01T00:00:00Z',
      },
      {
        name: 'gcp-main',
        owner: 'group:default/payments',
        kind: 'google' as const,
        createdAt: '2025-01-01T00:00:00Z',
      },
    ];

    async function openForm(api: MockClustersApi) {
      await render(api);
      await userEvent.click(screen.getByTestId('new-cluster-button'));
      await waitFor(() =>
        expect(screen.getByTestId('new-cluster-owner')).toHaveValue(
          'group:default/payments',
        ),
      );
      await userEvent.type(screen.getByTestId('new-cluster-name'), 'prod-2');
      await userEvent.type(
        screen.getByTestId('new-cluster-region'),
        'eu-west-1',
      );
      await userEvent.type(
        screen.getByTestId('new-pool-0-machineType'),
        'm5.large',
      );
      await waitFor(() =>
        expect(screen.getByTestId('new-cluster-credential')).toHaveValue(
          'aws-main',
        ),
      );
    }

    it('offers only the owner groups and the credentials of the distribution kind', async () => {
      const api = mockClustersApi({
        listCredentials: jest.fn(async () => credentials),
      });
      await openForm(api);
      const owners = within(screen.getByTestId('new-cluster-owner'))
        .getAllByRole('option')
        .map(o => o.textContent);
      expect(owners).toEqual([
        'group:default/payments',
        'group:default/platform',
      ]);
      expect(api.listCredentials).toHaveBeenCalledWith({
        owner: 'group:default/payments',
      });
      const options = within(screen.getByTestId('new-cluster-credential'))
        .getAllByRole('option')
        .map(o => o.textContent);
      expect(options).toEqual(['aws-main']);
    });

    it('refuses min > max with the field message and does not call the API', async () => {
      const api = mockClustersApi({
        listCredentials: jest.fn(async () => credentials),
      });
      await openForm(api);
      fireEvent.change(screen.getByTestId('new-pool-0-minSize'), {
        target: { value: '5' },
      });
      fireEvent.change(screen.getByTestId('new-pool-0-maxSize'), {
        target: { value: '2' },
      });
      await userEvent.click(screen.getByTestId('new-cluster-submit'));
      expect(
        await screen.findByText('minSize (5) is greater than maxSize (2)'),
      ).toBeInTheDocument();
      expect(api.createCluster).not.toHaveBeenCalled();
    });

    it('creates a valid cluster and shows the server message on error', async () => {
      const api = mockClustersApi({
        listCredentials: jest.fn(async () => credentials),
        createCluster: jest.fn(async () => {
          throw await responseError(
            400,
            'kubernetesVersion: 1.33 is not offered for eks',
          );
        }),
      });
      await openForm(api);
      await userEvent.click(screen.getByTestId('new-cluster-submit'));
      expect(await screen.findByTestId('new-cluster-error')).toHaveTextContent(
        'kubernetesVersion: 1.33 is not offered for eks',
      );
      expect(api.createCluster).toHaveBeenCalledWith({
        name: 'prod-2',
        owner: 'group:default/payments',
        distribution: 'eks',
        region: 'eu-west-1',
        kubernetesVersion: '1.33',
        credential: 'aws-main',
        nodePools: [
          {
            name: 'default',
            machineType: 'm5.large',
            minSize: 1,
            desiredSize: 1,
            maxSize: 3,
            labels: {},
            taints: [],
          },
        ],
      });
    });

    it('offers the Kubernetes versions of the settings for each distribution', async () => {
      const api = mockClustersApi({
        getSettings: jest.fn(async () => ({
          provisioning: { available: true },
          offeredVersions: { eks: ['1.30', '1.34'], gke: ['1.29'] },
        })),
        listCredentials: jest.fn(async () => credentials),
        createCluster: jest.fn(async () => makeCluster({ name: 'prod-2' })),
      });
      await openForm(api);
      expect(screen.queryByTestId('provisioning-unavailable')).toBeNull();
      const versionSelect = screen.getByTestId('new-cluster-version');
      const optionsOf = (select: HTMLElement) =>
        within(select)
          .getAllByRole('option')
          .map(o => o.textContent);
      expect(optionsOf(versionSelect)).toEqual(['1.30', '1.34']);
      expect(versionSelect).toHaveValue('1.34');

      fireEvent.change(screen.getByTestId('new-cluster-distribution'), {
        target: { value: 'gke' },
      });
      await waitFor(() =>
        expect(optionsOf(screen.getByTestId('new-cluster-version'))).toEqual([
          '1.29',
        ]),
      );
      expect(screen.getByTestId('new-cluster-version')).toHaveValue('1.29');
      // A distribution the settings offer nothing for cannot pick a version.
      fireEvent.change(screen.getByTestId('new-cluster-distribution'), {
        target: { value: 'aks' },
      });
      expect(
        await screen.findByText('No version is offered for aks.'),
      ).toBeInTheDocument();

      fireEvent.change(screen.getByTestId('new-cluster-distribution'), {
        target: { value: 'eks' },
      });
      await waitFor(() =>
        expect(screen.getByTestId('new-cluster-credential')).toHaveValue(
          'aws-main',
        ),
      );
      fireEvent.change(screen.getByTestId('new-cluster-version'), {
        target: { value: '1.30' },
      });
      await userEvent.click(screen.getByTestId('new-cluster-submit'));
      await waitFor(() =>
        expect(api.createCluster).toHaveBeenCalledWith(
          expect.objectContaining({
            distribution: 'eks',
            kubernetesVersion: '1.30',
          }),
        ),
      );
      expect(api.getSettings).toHaveBeenCalledTimes(1);
    });
  });

  it('says why provisioning is unavailable, disables New cluster and keeps Import', async () => {
    const message =
      'No management cluster is configured: the portal can import clusters but not provision them';
    const api = mockClustersApi({
      getSettings: jest.fn(async () => ({
        provisioning: { available: false, message },
        offeredVersions: { eks: ['1.33'] },
      })),
    });
    await render(api);
    expect(
      await screen.findByTestId('provisioning-unavailable'),
    ).toHaveTextContent(message);
    const create = screen.getByTestId('new-cluster-button');
    expect(create).toBeDisabled();
    await userEvent.hover(screen.getByTestId('new-cluster-button-wrapper'));
    expect(await screen.findByRole('tooltip')).toHaveTextContent(message);
    fireEvent.click(create);
    expect(screen.queryByTestId('new-cluster-name')).toBeNull();

    const importButton = screen.getByTestId('import-cluster-button');
    expect(importButton).toBeEnabled();
    await userEvent.click(importButton);
    expect(
      await screen.findByTestId('import-cluster-name'),
    ).toBeInTheDocument();
  });

  it('warns when the settings cannot be loaded', async () => {
    const api = mockClustersApi({
      getSettings: jest.fn(async () => {
        throw await responseError(503, 'database unavailable');
      }),
    });
    await render(api);
    expect(await screen.findByTestId('settings-error')).toHaveTextContent(
      'database unavailable',
    );
    expect(screen.getByTestId('new-cluster-button')).toBeEnabled();
  });

  it('imports a cluster from a kubeconfig', async () => {
    const api = mockClustersApi({
      importCluster: jest.fn(async () =>
        makeCluster({ name: 'onprem', distribution: 'import' }),
      ),
    });
    await render(api);
    await userEvent.click(screen.getByTestId('import-cluster-button'));
    await waitFor(() =>
      expect(screen.getByTestId('import-cluster-owner')).toHaveValue(
        'group:default/payments',
      ),
    );
    await userEvent.type(screen.getByTestId('import-cluster-name'), 'onprem');
    fireEvent.change(screen.getByTestId('import-cluster-kubeconfig'), {
      target: { value: 'apiVersion: v1\nkind: Config\n' },
    });
    await userEvent.click(screen.getByTestId('import-cluster-submit'));
    await waitFor(() =>
      expect(api.importCluster).toHaveBeenCalledWith({
        name: 'onprem',
        owner: 'group:default/payments',
        kubeconfig: 'apiVersion: v1\nkind: Config\n',
      }),
    );
    // The list reloads to show the imported cluster.
    await waitFor(() => expect(api.listClusters).toHaveBeenCalledTimes(2));
  });
});
