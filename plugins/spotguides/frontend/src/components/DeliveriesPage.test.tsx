import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { spotguidesApiRef } from '../api';
import { rootRouteRef } from '../routes';
import { mockSpotguidesApi, MockSpotguidesApi } from '../__testUtils__/mocks';
import { DeliveriesPage } from './DeliveriesPage';

const delivery = (
  id: string,
  decision: string,
  reason: string,
  extra: object = {},
) => ({
  id,
  event: 'push',
  repository: 'payments/orders',
  ref: 'refs/heads/main',
  sha: '0123456789abcdef0123456789abcdef01234567',
  receivedAt: '2026-01-02T03:04:05Z',
  decision,
  reason,
  runs: [],
  ...extra,
});

function render(api: MockSpotguidesApi) {
  return renderInTestApp(<DeliveriesPage />, {
    apis: [[spotguidesApiRef, api]],
    mountedRoutes: { '/spotguides': rootRouteRef },
  });
}

describe('DeliveriesPage', () => {
  it('shows each delivery with its decision and why', async () => {
    const api = mockSpotguidesApi({
      listDeliveries: jest.fn(async () => ({
        items: [
          delivery('d1', 'ran', 'build.yaml matched push to main', {
            runs: [
              {
                name: 'orders-build-1a2b3c',
                pipeline: 'build',
                link: 'https://portal.example.com/runs/orders-build-1a2b3c',
              },
            ],
          }),
          delivery(
            'd2',
            'duplicate',
            'same repository, event, ref and commit as d1',
          ),
          delivery('d3', 'refused', 'signature does not match'),
          delivery(
            'd4',
            'no-match',
            'ci.yaml: branches-ignore main; build.yaml: tags v*',
          ),
        ],
      })),
    });
    await render(api);
    expect(await screen.findByTestId('delivery-decision-d1')).toHaveTextContent(
      'ran',
    );
    expect(screen.getByTestId('delivery-decision-d2')).toHaveTextContent(
      'duplicate',
    );
    expect(screen.getByTestId('delivery-decision-d3')).toHaveTextContent(
      'refused',
    );
    expect(screen.getByTestId('delivery-decision-d4')).toHaveTextContent(
      'no match',
    );
    expect(screen.getByTestId('delivery-reason-d4')).toHaveTextContent(
      'ci.yaml: branches-ignore main',
    );
    expect(screen.getByText('orders-build-1a2b3c')).toHaveAttribute(
      'href',
      'https://portal.example.com/runs/orders-build-1a2b3c',
    );
    // Commits appear as GitHub shows them.
    expect(screen.getAllByText('0123456')).toHaveLength(4);
    expect(api.listDeliveries).toHaveBeenCalledWith({
      repository: undefined,
      limit: 100,
    });
  });

  it('filters by repository', async () => {
    const api = mockSpotguidesApi();
    await render(api);
    await userEvent.type(
      await screen.findByTestId('deliveries-repository'),
      'payments/orders',
    );
    await waitFor(() =>
      expect(api.listDeliveries).toHaveBeenLastCalledWith({
        repository: 'payments/orders',
        limit: 100,
      }),
    );
    expect(await screen.findByTestId('deliveries-empty')).toHaveTextContent(
      'No deliveries from payments/orders yet.',
    );
  });

  it('says when GitHub has sent nothing yet', async () => {
    await render(mockSpotguidesApi());
    expect(await screen.findByTestId('deliveries-empty')).toHaveTextContent(
      'No deliveries yet',
    );
  });

  it('shows the error when the engine cannot be reached', async () => {
    const api = mockSpotguidesApi({
      listDeliveries: jest.fn(async () => {
        throw new Error('spotguides backend unavailable');
      }),
    });
    await render(api);
    // The error panel shows the message in its summary and its details.
    expect(
      (await screen.findAllByText(/spotguides backend unavailable/))[0],
    ).toBeInTheDocument();
  });

  it('explains, per pipeline, whether an event would run it and which rule decided', async () => {
    const api = mockSpotguidesApi({
      explain: jest.fn(async () => ({
        repository: 'payments/orders',
        sha: 'abc1234',
        event: 'push',
        ref: 'refs/heads/feature',
        pipelines: [
          {
            file: '.tekton/ci.yaml',
            wouldRun: true,
            rule: 'push.branches-ignore [main]: feature is not ignored',
          },
          {
            file: '.tekton/build.yaml',
            wouldRun: false,
            rule: 'push.branches [main]: feature does not match',
          },
        ],
      })),
    });
    await render(api);
    await userEvent.type(
      await screen.findByTestId('explain-repository'),
      'payments/orders',
    );
    await userEvent.type(screen.getByTestId('explain-sha'), 'abc1234');
    const ref = screen.getByTestId('explain-ref');
    await userEvent.clear(ref);
    await userEvent.type(ref, 'refs/heads/feature');
    await userEvent.click(screen.getByTestId('explain-button'));

    const result = await screen.findByTestId('explain-result');
    expect(
      within(result).getByTestId('explain-would-run-.tekton/ci.yaml'),
    ).toHaveTextContent('yes');
    expect(
      within(result).getByTestId('explain-would-run-.tekton/build.yaml'),
    ).toHaveTextContent('no');
    expect(
      within(result).getByTestId('explain-rule-.tekton/build.yaml'),
    ).toHaveTextContent('push.branches [main]: feature does not match');
    expect(api.explain).toHaveBeenCalledWith({
      repository: 'payments/orders',
      sha: 'abc1234',
      event: 'push',
      ref: 'refs/heads/feature',
    });
  });

  it('does not explain before a repository and a commit are given', async () => {
    const api = mockSpotguidesApi();
    await render(api);
    expect(await screen.findByTestId('explain-button')).toBeDisabled();
    await userEvent.type(
      screen.getByTestId('explain-repository'),
      'payments/orders',
    );
    expect(screen.getByTestId('explain-button')).toBeDisabled();
    expect(api.explain).not.toHaveBeenCalled();
  });

  it('shows why the engine could not explain', async () => {
    const api = mockSpotguidesApi({
      explain: jest.fn(async () => {
        throw new Error('repository payments/nowhere is not known');
      }),
    });
    await render(api);
    await userEvent.type(
      await screen.findByTestId('explain-repository'),
      'payments/nowhere',
    );
    await userEvent.type(screen.getByTestId('explain-sha'), 'abc1234');
    await userEvent.click(screen.getByTestId('explain-button'));
    // The error panel shows the message in its summary and its details.
    expect(
      (
        await screen.findAllByText(/repository payments\/nowhere is not known/)
      )[0],
    ).toBeInTheDocument();
  });
});
