import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { pipelineClustersApiRef } from '../../api';
import { rootRouteRef } from '../../routes';
import {
  mockClustersApi,
  MockClustersApi,
  responseError,
} from '../../__testUtils__/mocks';
import { CredentialsPage } from './CredentialsPage';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

function render(api: MockClustersApi) {
  return renderInTestApp(<CredentialsPage />, {
    apis: [
      [pipelineClustersApiRef, api],
      mockApis.identity({
        userEntityRef: 'user:default/alice',
        ownershipEntityRefs: ['user:default/alice', 'group:default/payments'],
      }),
    ],
    mountedRoutes: {
      '/clusters': rootRouteRef,
      '/catalog/:namespace/:kind/:name': entityRouteRef,
    },
  });
}

describe('CredentialsPage', () => {
  it('lists credentials without ever rendering a value', async () => {
    const api = mockClustersApi({
      // A response carrying more than the summary must not leak it.
      listCredentials: jest.fn(async () => [
        {
          name: 'aws-main',
          owner: 'group:default/payments',
          kind: 'aws' as const,
          createdAt: '2025-01-01T00:00:00Z',
          value: { accessKeyId: 'AKIAEXAMPLE12345', secretAccessKey: SECRET },
        } as any,
      ]),
    });
    const { container } = await render(api);
    expect(await screen.findByText('aws-main')).toBeInTheDocument();
    expect(screen.getByText('aws')).toBeInTheDocument();
    expect(container.innerHTML).not.toContain(SECRET);
    expect(container.innerHTML).not.toContain('AKIAEXAMPLE12345');
  });

  it('adds a credential with the fields of its kind, secrets masked', async () => {
    const api = mockClustersApi({
      createCredential: jest.fn(async request => ({
        name: request.name,
        owner: request.owner,
        kind: request.kind,
        createdAt: '2025-01-01T00:00:00Z',
      })),
    });
    await render(api);
    await userEvent.click(await screen.findByTestId('add-credential-button'));
    await waitFor(() =>
      expect(screen.getByTestId('credential-owner')).toHaveValue(
        'group:default/payments',
      ),
    );
    expect(
      screen.getByTestId('credential-value-secretAccessKey'),
    ).toHaveAttribute('type', 'password');
    expect(screen.getByTestId('credential-value-accessKeyId')).toHaveAttribute(
      'type',
      'text',
    );

    await userEvent.type(screen.getByTestId('credential-name'), 'aws-main');
    fireEvent.change(screen.getByTestId('credential-value-accessKeyId'), {
      target: { value: 'not-a-key' },
    });
    fireEvent.change(screen.getByTestId('credential-value-secretAccessKey'), {
      target: { value: SECRET },
    });
    await userEvent.click(screen.getByTestId('credential-submit'));
    expect(
      await screen.findByText('must be an AWS access key id'),
    ).toBeInTheDocument();
    expect(api.createCredential).not.toHaveBeenCalled();

    fireEvent.change(screen.getByTestId('credential-value-accessKeyId'), {
      target: { value: 'AKIAIOSFODNN7EXAMPLE' },
    });
    await userEvent.click(screen.getByTestId('credential-submit'));
    await waitFor(() =>
      expect(api.createCredential).toHaveBeenCalledWith({
        name: 'aws-main',
        owner: 'group:default/payments',
        kind: 'aws',
        // The optional session token left empty is not sent.
        value: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: SECRET },
      }),
    );
    await waitFor(() => expect(api.listCredentials).toHaveBeenCalledTimes(2));
  });

  it('renders multi-line inputs for keys and shows the server message', async () => {
    const api = mockClustersApi({
      createCredential: jest.fn(async () => {
        throw await responseError(409, 'credential gcp-main already exists');
      }),
    });
    await render(api);
    await userEvent.click(await screen.findByTestId('add-credential-button'));
    fireEvent.change(screen.getByTestId('credential-kind'), {
      target: { value: 'google' },
    });
    const key = screen.getByTestId('credential-value-serviceAccountKey');
    expect(key.tagName).toBe('TEXTAREA');
    await userEvent.type(screen.getByTestId('credential-name'), 'gcp-main');
    fireEvent.change(key, {
      target: {
        value: JSON.stringify({
          type: 'service_account',
          project_id: 'p',
          private_key: 'k',
          client_email: 'e@p.iam.gserviceaccount.com',
        }),
      },
    });
    await waitFor(() =>
      expect(screen.getByTestId('credential-owner')).toHaveValue(
        'group:default/payments',
      ),
    );
    await userEvent.click(screen.getByTestId('credential-submit'));
    expect(await screen.findByTestId('credential-error')).toHaveTextContent(
      'credential gcp-main already exists',
    );
  });

  it('deletes a credential after confirmation', async () => {
    const api = mockClustersApi({
      listCredentials: jest.fn(async () => [
        {
          name: 'do-main',
          owner: 'group:default/payments',
          kind: 'digitalocean' as const,
          createdAt: '2025-01-01T00:00:00Z',
        },
      ]),
      deleteCredential: jest.fn(async () => undefined),
    });
    await render(api);
    await userEvent.click(
      await screen.findByTestId('delete-credential-do-main'),
    );
    expect(api.deleteCredential).not.toHaveBeenCalled();
    const dialog = screen.getByRole('dialog');
    expect(within(dialog).getByText(/Delete credential do-main/)).toBeVisible();
    await userEvent.click(screen.getByTestId('delete-credential-confirm'));
    await waitFor(() =>
      expect(api.deleteCredential).toHaveBeenCalledWith({
        owner: 'group:default/payments',
        name: 'do-main',
      }),
    );
  });
});
