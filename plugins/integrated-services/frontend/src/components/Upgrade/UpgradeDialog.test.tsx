import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  instanceList,
  makeInstance,
  mockServicesApi,
  responseError,
} from '../../__testUtils__/mocks';
import { renderWithApi } from '../../__testUtils__/render';
import { ClusterServices } from '../ClusterServices/ClusterServices';

async function openUpgrade(api = mockServicesApi()) {
  api.listClusterInstances.mockImplementation(async () =>
    instanceList([makeInstance()]),
  );
  await renderWithApi(<ClusterServices cluster="prod-1" />, api);
  await userEvent.click(await screen.findByTestId('upgrade-cert-manager'));
  await screen.findByTestId('version-graph');
  return api;
}

const node = (v: string) => screen.getByTestId(`graph-node-${v}`);
const edge = (from: string, to: string) =>
  screen.getByTestId(`graph-edge-${from}-${to}`);

describe('UpgradeDialog', () => {
  it('draws the version graph with the path to the newest target highlighted', async () => {
    const api = await openUpgrade();
    expect(api.getPlan).toHaveBeenCalledWith('cert-manager', '1.14.7');
    expect(node('1.14.7')).toHaveAttribute('data-state', 'installed');
    expect(node('1.15.3')).toHaveAttribute('data-state', 'on-path');
    expect(node('1.16.1')).toHaveAttribute('data-state', 'target');
    expect(edge('1.14.7', '1.15.3')).toHaveAttribute(
      'data-highlighted',
      'true',
    );
    expect(edge('1.15.3', '1.16.1')).toHaveAttribute(
      'data-highlighted',
      'true',
    );
    // Downgraders are drawn too, but not on this path.
    expect(edge('1.16.1', '1.15.3')).toHaveAttribute('data-kind', 'downgrade');
    expect(edge('1.16.1', '1.15.3')).toHaveAttribute(
      'data-highlighted',
      'false',
    );

    expect(screen.getByTestId('upgrade-path')).toHaveTextContent(
      '1.14.7 → 1.15.3 → 1.16.1',
    );
    const steps = within(screen.getByTestId('upgrade-steps')).getAllByTestId(
      'upgrade-steps-item',
    );
    expect(steps.map(s => s.getAttribute('data-type'))).toEqual([
      'chartUpgrade',
      'deleteResources',
      'chartUpgrade',
    ]);
    expect(steps[1]).toHaveTextContent('Delete ConfigMap old-config');
    expect(screen.getByTestId('upgrade-unreachable')).toHaveTextContent(
      '0.13.0: no downgrader below 1.14.7',
    );
  });

  it('follows another target chosen in the list or on the graph', async () => {
    await openUpgrade();
    await userEvent.selectOptions(
      screen.getByTestId('target-select'),
      '1.15.3',
    );
    expect(node('1.15.3')).toHaveAttribute('data-state', 'target');
    expect(edge('1.15.3', '1.16.1')).toHaveAttribute(
      'data-highlighted',
      'false',
    );
    expect(screen.getByTestId('upgrade-path')).toHaveTextContent(
      '1.14.7 → 1.15.3',
    );

    await userEvent.click(node('1.16.1'));
    expect(screen.getByTestId('target-select')).toHaveValue('1.16.1');
    expect(screen.getByTestId('upgrade-dialog-submit')).toHaveTextContent(
      'Upgrade to 1.16.1',
    );
  });

  it('writes the target version, keeping spec and overrides', async () => {
    const api = await openUpgrade();
    await userEvent.click(screen.getByTestId('upgrade-dialog-submit'));
    await waitFor(() =>
      expect(api.putInstance).toHaveBeenCalledWith('prod-1', 'cert-manager', {
        version: '1.16.1',
        spec: { replicas: 2 },
        overrides: { podLabels: { team: 'payments' } },
        enabled: true,
      }),
    );
    await waitFor(() =>
      expect(screen.queryByTestId('upgrade-dialog')).toBeNull(),
    );
  });

  it('shows a refused change in the dialog', async () => {
    const api = mockServicesApi({
      putInstance: jest.fn(async () => {
        throw await responseError(
          400,
          '/version: cannot go from 1.14.7 to 1.16.1',
        );
      }),
    });
    await openUpgrade(api);
    await userEvent.click(screen.getByTestId('upgrade-dialog-submit'));
    expect(await screen.findByTestId('upgrade-dialog-error')).toHaveTextContent(
      'cannot go from 1.14.7 to 1.16.1',
    );
  });

  it('says so when no version is reachable', async () => {
    const api = mockServicesApi({
      getPlan: jest.fn(async () => ({
        service: 'cert-manager',
        from: '1.14.7',
        targets: [],
        unreachable: [],
      })),
    });
    await openUpgrade(api);
    expect(screen.getByTestId('upgrade-dialog-blocked')).toHaveTextContent(
      'No version is reachable from 1.14.7.',
    );
    expect(screen.getByTestId('upgrade-dialog-submit')).toBeDisabled();
  });
});
