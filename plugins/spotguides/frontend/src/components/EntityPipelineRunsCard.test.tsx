import { renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ComponentProps } from 'react';
import { spotguidesApiRef } from '../api';
import { mockSpotguidesApi, MockSpotguidesApi } from '../__testUtils__/mocks';
import { EntityPipelineRunsCard } from './EntityPipelineRunsCard';

type Entity = NonNullable<ComponentProps<typeof EntityProvider>['entity']>;

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'orders',
    namespace: 'default',
    annotations: {
      'pipeline-portal.io/runtime-cluster': 'payments-prod',
      'pipeline-portal.io/namespace': 'payments',
      'github.com/project-slug': 'payments/orders',
    },
  },
  spec: {
    type: 'service',
    owner: 'group:default/payments',
    lifecycle: 'experimental',
  },
};

function render(api: MockSpotguidesApi) {
  return renderInTestApp(
    <EntityProvider entity={entity}>
      <EntityPipelineRunsCard />
    </EntityProvider>,
    { apis: [[spotguidesApiRef, api]] },
  );
}

describe('EntityPipelineRunsCard', () => {
  it("lists the component's runs with status, pipeline and commit", async () => {
    const api = mockSpotguidesApi({
      listRuns: jest.fn(async () => ({
        items: [
          {
            name: 'orders-build-9f8e7d',
            namespace: 'payments',
            pipeline: 'build',
            status: 'Running',
            sha: 'fedcba9876543210fedcba9876543210fedcba98',
            startedAt: '2026-01-02T03:04:05Z',
            link: 'https://portal.example.com/runs/orders-build-9f8e7d',
          },
          {
            name: 'orders-ci-1a2b3c',
            namespace: 'payments',
            pipeline: 'ci',
            status: 'Succeeded',
            sha: '0123456789abcdef0123456789abcdef01234567',
            startedAt: '2026-01-01T03:04:05Z',
          },
        ],
      })),
    });
    await render(api);
    expect(
      await screen.findByTestId('run-status-orders-build-9f8e7d'),
    ).toHaveTextContent('Running');
    expect(screen.getByTestId('run-status-orders-ci-1a2b3c')).toHaveTextContent(
      'Succeeded',
    );
    expect(screen.getByText('orders-build-9f8e7d')).toHaveAttribute(
      'href',
      'https://portal.example.com/runs/orders-build-9f8e7d',
    );
    expect(screen.getByText('fedcba9')).toBeInTheDocument();
    expect(api.listRuns).toHaveBeenCalledWith({
      entityRef: 'component:default/orders',
    });
  });

  it('says so when nothing has run yet', async () => {
    await render(mockSpotguidesApi());
    expect(await screen.findByTestId('pipeline-runs-empty')).toHaveTextContent(
      'No pipeline has run yet',
    );
  });

  it('shows the error when the runs cannot be read', async () => {
    const api = mockSpotguidesApi({
      listRuns: jest.fn(async () => {
        throw new Error('runtime cluster payments-prod is not reachable');
      }),
    });
    await render(api);
    // The error panel shows the message in its summary and its details.
    expect(
      (
        await screen.findAllByText(
          /runtime cluster payments-prod is not reachable/,
        )
      )[0],
    ).toBeInTheDocument();
  });

  it('says the repository runs nothing until bound, and binds it to the component on request', async () => {
    const notFound = Object.assign(new Error('not bound'), {
      response: { status: 404 },
    });
    const binding = {
      repository: 'payments/orders',
      entityRef: 'component:default/orders',
      owner: 'group:default/payments',
      boundBy: 'user:default/bob',
      boundAt: '2026-12-07T10:00:00.000Z',
    };
    const api = mockSpotguidesApi({
      getBinding: jest
        .fn()
        .mockRejectedValueOnce(notFound)
        .mockResolvedValue(binding),
      bindRepository: jest.fn(async () => binding),
    });
    await render(api);
    expect(
      await screen.findByText(/payments\/orders is not bound to a component/),
    ).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: /bind/i }));
    expect(api.bindRepository).toHaveBeenCalledWith('payments/orders', {
      entityRef: 'component:default/orders',
    });
    await waitFor(() =>
      expect(
        screen.getByText(
          /runs this component's pipelines \(bound for group:default\/payments/,
        ),
      ).toBeInTheDocument(),
    );
    expect(screen.queryByRole('button', { name: /bind/i })).toBeNull();
  });

  it("shows the server's refusal to bind", async () => {
    const api = mockSpotguidesApi({
      getBinding: jest.fn(async () => ({
        repository: 'payments/orders',
        entityRef: 'component:default/decoy',
        owner: 'group:default/marketing',
        boundBy: 'user:default/carol',
        boundAt: '2026-12-07T10:00:00.000Z',
      })),
      bindRepository: jest.fn(async () => {
        throw new Error(
          'payments/orders is bound to component:default/decoy for group:default/marketing: only its members or an admin may bind it elsewhere',
        );
      }),
    });
    await render(api);
    expect(
      await screen.findByText(/is bound to component:default\/decoy/),
    ).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: /bind/i }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'only its members or an admin may bind it elsewhere',
    );
  });
});
