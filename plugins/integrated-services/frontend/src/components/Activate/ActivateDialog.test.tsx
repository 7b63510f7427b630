import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { PreviewResult } from '@pipeline-portal/plugin-integrated-services-common';
import {
  instanceList,
  makeInstance,
  mockServicesApi,
  responseError,
} from '../../__testUtils__/mocks';
import { renderWithApi } from '../../__testUtils__/render';
import { ClusterServices } from '../ClusterServices/ClusterServices';

const PREVIEW: PreviewResult = {
  cluster: 'prod-1',
  service: 'monitoring',
  version: '70.4.1',
  instance: {},
  objects: [
    { kind: 'HelmRepository', metadata: { name: 'monitoring' } },
    { kind: 'HelmRelease', metadata: { name: 'monitoring' } },
  ],
  values: {},
  valuesDiff: [
    { path: '/prometheus/retention', op: 'add', to: '15d' },
    { path: '/grafana/enabled', op: 'replace', from: false, to: true },
    { path: '/legacy', op: 'remove', from: 1 },
  ],
  plan: {
    to: '70.4.1',
    direction: 'install',
    path: ['70.4.1'],
    steps: [{ type: 'chartUpgrade', from: '70.4.1', to: '70.4.1' }],
  },
};

async function openActivate(api: ReturnType<typeof mockServicesApi>) {
  await renderWithApi(<ClusterServices cluster="prod-1" />, api);
  await userEvent.click(await screen.findByTestId('activate-monitoring'));
  return await screen.findByLabelText(/Metrics retention/);
}

const typeOverrides = (text: string) =>
  fireEvent.change(screen.getByTestId('overrides-editor'), {
    target: { value: text },
  });

describe('ActivateDialog', () => {
  it('generates the form from the version schema, previews the plan and values diff, then activates', async () => {
    const api = mockServicesApi({
      previewInstance: jest.fn(async () => PREVIEW),
    });
    const retention = await openActivate(api);
    // The schema's default is filled in.
    expect(retention).toHaveValue('10d');
    expect(screen.getByLabelText(/Grafana/)).toBeChecked();
    expect(screen.getByTestId('version-select')).toHaveValue('70.4.1');

    await userEvent.clear(retention);
    await userEvent.type(retention, '15d');
    typeOverrides('prometheus:\n  replicas: 2\n');
    await userEvent.click(screen.getByTestId('activate-dialog-submit'));

    const preview = await screen.findByTestId('preview');
    expect(api.previewInstance).toHaveBeenCalledWith('prod-1', 'monitoring', {
      version: '70.4.1',
      spec: { retention: '15d', grafana: true },
      overrides: { prometheus: { replicas: 2 } },
      enabled: true,
    });
    expect(within(preview).getByTestId('preview-direction')).toHaveTextContent(
      'Install 70.4.1',
    );
    expect(
      within(preview).getByTestId('values-diff-summary'),
    ).toHaveTextContent('1 added, 1 changed, 1 removed');
    const rows = within(preview).getAllByTestId('values-diff-row');
    expect(rows.map(r => r.getAttribute('data-op'))).toEqual([
      'add',
      'replace',
      'remove',
    ]);
    expect(rows[1]).toHaveTextContent('changed');
    expect(within(preview).getByTestId('preview-objects')).toHaveTextContent(
      'HelmRepository monitoring, HelmRelease monitoring',
    );
    expect(api.putInstance).not.toHaveBeenCalled();

    await userEvent.click(screen.getByTestId('activate-dialog-submit'));
    await waitFor(() =>
      expect(api.putInstance).toHaveBeenCalledWith('prod-1', 'monitoring', {
        version: '70.4.1',
        spec: { retention: '15d', grafana: true },
        overrides: { prometheus: { replicas: 2 } },
        enabled: true,
      }),
    );
    await waitFor(() =>
      expect(screen.queryByTestId('activate-dialog')).toBeNull(),
    );
  });

  it('shows a YAML error in the overrides and sends nothing', async () => {
    const api = mockServicesApi();
    await openActivate(api);
    typeOverrides('prometheus: [unclosed\n');
    await userEvent.click(screen.getByTestId('activate-dialog-submit'));
    expect(await screen.findByTestId('overrides-helper')).toHaveTextContent(
      /line \d+, column \d+/,
    );
    typeOverrides('- a list\n');
    await userEvent.click(screen.getByTestId('activate-dialog-submit'));
    expect(await screen.findByTestId('overrides-helper')).toHaveTextContent(
      'overrides must be a mapping',
    );
    expect(api.previewInstance).not.toHaveBeenCalled();
  });

  it('checks the spec against its schema before asking the server', async () => {
    const api = mockServicesApi();
    const retention = await openActivate(api);
    await userEvent.clear(retention);
    await userEvent.type(retention, 'forever');
    await userEvent.click(screen.getByTestId('activate-dialog-submit'));
    expect(
      await screen.findByTestId('activate-dialog-error'),
    ).toHaveTextContent('Correct the marked fields.');
    expect(screen.getByText(/must match pattern/)).toBeInTheDocument();
    expect(api.previewInstance).not.toHaveBeenCalled();
  });

  it('shows the fields a 400 names by JSON pointer at those fields', async () => {
    const api = mockServicesApi({
      previewInstance: jest.fn(async () => {
        throw await responseError(
          400,
          'invalid request: /spec/retention is longer than the cluster allows; /overrides/prometheus/replicas must be integer',
        );
      }),
    });
    await openActivate(api);
    typeOverrides('prometheus:\n  replicas: two\n');
    await userEvent.click(screen.getByTestId('activate-dialog-submit'));
    expect(
      await screen.findByText('is longer than the cluster allows'),
    ).toBeInTheDocument();
    expect(screen.getByTestId('overrides-helper')).toHaveTextContent(
      '/overrides/prometheus/replicas must be integer',
    );
    expect(screen.getByTestId('activate-dialog-error')).toHaveTextContent(
      'see the marked fields',
    );
    expect(screen.queryByTestId('preview')).toBeNull();
  });

  it('updates an active instance with its spec and overrides, version fixed', async () => {
    const instance = makeInstance({
      service: 'monitoring',
      desired: {
        version: '69.4.1',
        enabled: true,
        spec: { retention: '30d', grafana: false },
        overrides: { prometheus: { replicas: 3 } },
      },
      status: { installedVersion: '69.4.1' },
    });
    const api = mockServicesApi({
      listClusterInstances: jest.fn(async () => instanceList([instance])),
      previewInstance: jest.fn(async () => ({
        ...PREVIEW,
        valuesDiff: [],
        plan: {
          from: '69.4.1',
          to: '69.4.1',
          direction: 'none',
          path: ['69.4.1'],
          steps: [],
        },
      })),
    });
    await renderWithApi(<ClusterServices cluster="prod-1" />, api);
    await userEvent.click(await screen.findByTestId('update-monitoring'));
    expect(await screen.findByLabelText(/Metrics retention/)).toHaveValue(
      '30d',
    );
    expect(screen.getByTestId('version-select')).toHaveValue('69.4.1');
    expect(screen.getByTestId('version-select')).toBeDisabled();
    expect(screen.getByTestId('overrides-editor')).toHaveValue(
      'prometheus:\n  replicas: 3\n',
    );
    await userEvent.click(screen.getByTestId('activate-dialog-submit'));
    expect(await screen.findByTestId('values-diff-none')).toBeInTheDocument();
    expect(screen.getByTestId('preview-steps-none')).toBeInTheDocument();
    expect(screen.getByTestId('activate-dialog-submit')).toHaveTextContent(
      'Update',
    );
    await userEvent.click(screen.getByTestId('activate-dialog-submit'));
    await waitFor(() =>
      expect(api.putInstance).toHaveBeenCalledWith('prod-1', 'monitoring', {
        version: '69.4.1',
        spec: { retention: '30d', grafana: false },
        overrides: { prometheus: { replicas: 3 } },
        enabled: true,
      }),
    );
  });

  it('refers a refused write back to the form', async () => {
    const api = mockServicesApi({
      previewInstance: jest.fn(async () => PREVIEW),
      putInstance: jest.fn(async () => {
        throw await responseError(
          409,
          'monitoring on cluster prod-1 is being deactivated',
        );
      }),
    });
    await openActivate(api);
    await userEvent.click(screen.getByTestId('activate-dialog-submit'));
    await screen.findByTestId('preview');
    await userEvent.click(screen.getByTestId('activate-dialog-submit'));
    expect(
      await screen.findByTestId('activate-dialog-error'),
    ).toHaveTextContent('is being deactivated');
  });
  it('adopts an externally managed instance with the spec it holds', async () => {
    const instance = makeInstance({
      service: 'monitoring',
      managedBy: 'external',
      desired: {
        version: '70.4.1',
        enabled: true,
        spec: { retention: '7d', grafana: true },
        overrides: {},
      },
      status: { installedVersion: '70.4.1' },
    });
    const api = mockServicesApi({
      listClusterInstances: jest.fn(async () => instanceList([instance])),
      previewInstance: jest.fn(async () => PREVIEW),
    });
    await renderWithApi(<ClusterServices cluster="prod-1" />, api);
    await userEvent.click(await screen.findByTestId('adopt-monitoring'));
    expect(await screen.findByLabelText(/Metrics retention/)).toHaveValue('7d');
    await userEvent.click(screen.getByTestId('activate-dialog-submit'));
    await screen.findByTestId('preview');
    expect(screen.getByTestId('activate-dialog-submit')).toHaveTextContent(
      'Adopt',
    );
    await userEvent.click(screen.getByTestId('activate-dialog-submit'));
    await waitFor(() =>
      expect(api.putInstance).toHaveBeenCalledWith('prod-1', 'monitoring', {
        version: '70.4.1',
        spec: { retention: '7d', grafana: true },
        overrides: {},
        enabled: true,
        adopt: true,
      }),
    );
  });
});
