import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  instanceList,
  makeInstance,
  mockServicesApi,
  responseError,
} from '../../__testUtils__/mocks';
import { renderWithApi } from '../../__testUtils__/render';
import { ClusterServices } from './ClusterServices';

const render = (
  api: ReturnType<typeof mockServicesApi>,
  cluster = 'prod-1',
  authorize = {},
) => renderWithApi(<ClusterServices cluster={cluster} />, api, authorize);

describe('ClusterServices', () => {
  it('lists every service offered with phase, version, drift and who manages it', async () => {
    const api = mockServicesApi({
      listClusterInstances: jest.fn(async () =>
        instanceList([
          makeInstance({
            status: {
              drift: [
                {
                  object: 'HelmRelease cert-manager',
                  kind: 'changed',
                  fields: ['spec.values.replicaCount'],
                  at: '2026-01-01T00:00:00Z',
                },
              ],
            },
          }),
          makeInstance({
            service: 'monitoring',
            managedBy: 'external',
            desired: {
              version: '70.4.1',
              enabled: true,
              spec: {},
              overrides: {},
            },
            status: { phase: 'Upgrading', installedVersion: '69.4.1' },
          }),
        ]),
      ),
    });
    await render(api);

    const cert = await screen.findByTestId('service-row-cert-manager');
    expect(within(cert).getByTestId('instance-phase')).toHaveAttribute(
      'data-phase',
      'Ready',
    );
    expect(within(cert).getByTestId('instance-version')).toHaveTextContent(
      '1.14.7',
    );
    expect(within(cert).getByTestId('instance-drift')).toHaveTextContent(
      '1 repaired',
    );
    expect(within(cert).getByText('Portal')).toBeInTheDocument();
    expect(within(cert).getByTestId('upgrade-cert-manager')).toBeEnabled();

    const mon = screen.getByTestId('service-row-monitoring');
    expect(within(mon).getByTestId('instance-phase')).toHaveAttribute(
      'data-phase',
      'Upgrading',
    );
    expect(within(mon).getByTestId('instance-version')).toHaveTextContent(
      '69.4.1 → 70.4.1',
    );
    expect(within(mon).getByTestId('managed-externally')).toBeInTheDocument();
    // Left alone unless adopted.
    expect(within(mon).getByTestId('adopt-monitoring')).toBeInTheDocument();
    expect(within(mon).queryByTestId('deactivate-monitoring')).toBeNull();
    expect(api.listClusterInstances).toHaveBeenCalledWith('prod-1');
  });

  it('offers activation of a service not active on the cluster', async () => {
    const api = mockServicesApi();
    await render(api);
    const row = await screen.findByTestId('service-row-monitoring');
    expect(within(row).getByTestId('instance-phase')).toHaveTextContent(
      'Not active',
    );
    expect(within(row).getByTestId('activate-monitoring')).toBeInTheDocument();
  });

  it('hides the actions the user may not take', async () => {
    const api = mockServicesApi({
      listClusterInstances: jest.fn(async () => instanceList([makeInstance()])),
    });
    const authorize = jest.fn((): AuthorizeResult.DENY => AuthorizeResult.DENY);
    await render(api, 'locked-1', { authorize });
    const row = await screen.findByTestId('service-row-cert-manager');
    await waitFor(() => expect(authorize).toHaveBeenCalled());
    expect(within(row).queryByTestId('deactivate-cert-manager')).toBeNull();
    expect(within(row).queryByTestId('upgrade-cert-manager')).toBeNull();
    expect(screen.queryByTestId('activate-monitoring')).toBeNull();
  });

  it('deactivates after confirmation and reloads', async () => {
    const api = mockServicesApi({
      listClusterInstances: jest.fn(async () => instanceList([makeInstance()])),
    });
    await render(api);
    await userEvent.click(await screen.findByTestId('deactivate-cert-manager'));
    await userEvent.click(
      await screen.findByTestId('deactivate-dialog-submit'),
    );
    await waitFor(() =>
      expect(api.deleteInstance).toHaveBeenCalledWith('prod-1', 'cert-manager'),
    );
    await waitFor(() =>
      expect(api.listClusterInstances).toHaveBeenCalledTimes(2),
    );
    expect(screen.queryByTestId('deactivate-dialog')).toBeNull();
  });

  it('shows a refused deactivation in the dialog', async () => {
    const api = mockServicesApi({
      listClusterInstances: jest.fn(async () => instanceList([makeInstance()])),
      deleteInstance: jest.fn(async () => {
        throw await responseError(
          403,
          'not allowed: integrated-service.deactivate',
        );
      }),
    });
    await render(api);
    await userEvent.click(await screen.findByTestId('deactivate-cert-manager'));
    await userEvent.click(
      await screen.findByTestId('deactivate-dialog-submit'),
    );
    expect(
      await screen.findByTestId('deactivate-dialog-error'),
    ).toHaveTextContent('not allowed: integrated-service.deactivate');
  });

  it('says plainly when the cluster does not exist', async () => {
    const api = mockServicesApi({
      listClusterInstances: jest.fn(async () => {
        throw await responseError(404, 'no cluster gone-1');
      }),
    });
    await render(api, 'gone-1');
    expect(
      await screen.findByTestId('cluster-services-no-cluster'),
    ).toHaveTextContent('There is no cluster gone-1');
  });

  it('says so when the cluster is not Running', async () => {
    const api = mockServicesApi({
      listClusterInstances: jest.fn(async () => {
        throw await responseError(
          409,
          'cluster new-1 is Provisioning, not Running: its services cannot be read or changed now',
        );
      }),
    });
    await render(api, 'new-1');
    expect(
      await screen.findByTestId('cluster-services-not-running'),
    ).toHaveTextContent('cluster new-1 is Provisioning, not Running');
  });

  it('shows why the cluster cannot be listed, e.g. no cluster configured', async () => {
    const api = mockServicesApi({
      listClusterInstances: jest.fn(async () =>
        instanceList([], {
          clusters: 0,
          message: 'No cluster is configured.',
        }),
      ),
    });
    await render(api);
    expect(
      await screen.findByTestId('cluster-services-message'),
    ).toHaveTextContent('No cluster is configured.');
  });
});
