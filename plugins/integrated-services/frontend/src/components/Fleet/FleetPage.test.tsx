import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  instanceList,
  makeInstance,
  mockServicesApi,
  responseError,
} from '../../__testUtils__/mocks';
import { renderWithApi } from '../../__testUtils__/render';
import { FleetPage } from './FleetPage';

const fleet = () =>
  instanceList(
    [
      makeInstance({ cluster: 'prod-1' }),
      makeInstance({
        cluster: 'prod-2',
        service: 'monitoring',
        managedBy: 'external',
        status: {
          phase: 'Failed',
          installedVersion: '69.4.1',
          lastError: {
            message: 'chart upgrade failed',
            at: '2026-01-01T00:00:00Z',
          },
          drift: [
            {
              object: 'HelmRelease monitoring',
              kind: 'missing',
              at: '2026-01-01T00:00:00Z',
            },
          ],
        },
      }),
    ],
    { clusters: 2 },
  );

describe('FleetPage', () => {
  it('lists every instance across clusters', async () => {
    const api = mockServicesApi({
      listInstances: jest.fn(async () => fleet()),
    });
    await renderWithApi(<FleetPage />, api);
    expect(await screen.findByTestId('fleet-count')).toHaveTextContent(
      '2 instances on 2 clusters',
    );
    const row = screen.getByTestId('fleet-row-prod-2-monitoring');
    expect(within(row).getByTestId('instance-phase')).toHaveAttribute(
      'data-phase',
      'Failed',
    );
    expect(within(row).getByTestId('instance-drift')).toHaveTextContent(
      '1 repaired',
    );
    expect(within(row).getByText('Externally')).toBeInTheDocument();
    expect(within(row).getByRole('link', { name: 'prod-2' })).toHaveAttribute(
      'href',
      '/integrated-services/clusters/prod-2',
    );
    expect(
      within(screen.getByTestId('fleet-row-prod-1-cert-manager')).getByTestId(
        'instance-drift',
      ),
    ).toHaveTextContent('None');
  });

  it('filters by service, version, phase and drift through the API', async () => {
    const api = mockServicesApi({
      listInstances: jest.fn(async () => fleet()),
    });
    await renderWithApi(<FleetPage />, api);
    await screen.findByTestId('fleet-table');
    await userEvent.selectOptions(
      screen.getByTestId('filter-service'),
      'cert-manager',
    );
    // Only the chosen service's versions are offered.
    const versions = within(screen.getByTestId('filter-version'))
      .getAllByRole('option')
      .map(o => o.getAttribute('value'));
    expect(versions).toEqual(['', '1.16.1', '1.15.3', '1.14.7']);
    await userEvent.selectOptions(
      screen.getByTestId('filter-version'),
      '1.14.7',
    );
    await userEvent.selectOptions(screen.getByTestId('filter-phase'), 'Ready');
    await userEvent.selectOptions(screen.getByTestId('filter-drift'), 'no');
    await waitFor(() =>
      expect(api.listInstances).toHaveBeenLastCalledWith({
        service: 'cert-manager',
        version: '1.14.7',
        phase: 'Ready',
        drift: false,
      }),
    );
    await userEvent.selectOptions(screen.getByTestId('filter-drift'), 'yes');
    await waitFor(() =>
      expect(api.listInstances).toHaveBeenLastCalledWith(
        expect.objectContaining({ drift: true }),
      ),
    );
  });

  it('says when nothing matches the filters', async () => {
    const api = mockServicesApi({
      listInstances: jest.fn(async (req: object) =>
        Object.keys(req).length ? instanceList([], { clusters: 2 }) : fleet(),
      ),
    });
    await renderWithApi(<FleetPage />, api);
    await screen.findByTestId('fleet-table');
    await userEvent.selectOptions(
      screen.getByTestId('filter-phase'),
      'Deleting',
    );
    expect(await screen.findByTestId('fleet-empty')).toHaveTextContent(
      'No instance matches these filters.',
    );
  });

  it('says plainly when no cluster is configured', async () => {
    const api = mockServicesApi({
      listInstances: jest.fn(async () =>
        instanceList([], {
          clusters: 0,
          message: 'No cluster is configured yet.',
        }),
      ),
    });
    await renderWithApi(<FleetPage />, api);
    expect(await screen.findByTestId('fleet-no-clusters')).toHaveTextContent(
      'No cluster is configured yet.',
    );
    expect(screen.queryByTestId('filter-service')).toBeNull();
  });

  it('names the clusters that could not be read', async () => {
    const api = mockServicesApi({
      listInstances: jest.fn(async () =>
        instanceList([], {
          clusters: 1,
          problems: [{ cluster: 'edge-1', message: 'connection refused' }],
        }),
      ),
    });
    await renderWithApi(<FleetPage />, api);
    expect(await screen.findByTestId('fleet-problem')).toHaveTextContent(
      'Cluster edge-1 could not be read: connection refused',
    );
    expect(screen.getByTestId('fleet-empty')).toHaveTextContent(
      'No service is active on any cluster yet.',
    );
  });

  it('shows a failed load', async () => {
    const api = mockServicesApi({
      listInstances: jest.fn(async () => {
        throw await responseError(403, 'not allowed: integrated-service.read');
      }),
    });
    await renderWithApi(<FleetPage />, api);
    expect(
      await screen.findByText(/not allowed: integrated-service.read/),
    ).toBeInTheDocument();
  });
});
