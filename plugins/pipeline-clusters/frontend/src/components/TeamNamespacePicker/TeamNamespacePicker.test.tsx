import {
  createExtensionTester,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { FormFieldBlueprint } from '@backstage/plugin-scaffolder-react/alpha';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { pipelineClustersApiRef } from '../../api';
import plugin from '../../index';
import { teamNamespacePickerField } from '../../plugin';
import {
  mockClustersApi,
  MockClustersApi,
  responseError,
} from '../../__testUtils__/mocks';
import {
  TeamNamespacePicker,
  TeamNamespacePickerProps,
  teamNamespaceValidation,
} from './TeamNamespacePicker';

const NAMESPACES = [
  {
    name: 'marketing-jobs',
    owner: 'group:default/marketing',
    team: 'marketing',
    phase: 'Active',
  },
  {
    name: 'payments-web',
    owner: 'group:default/payments',
    team: 'payments',
    phase: 'Active',
  },
];

/** The field in a form that holds its value, as the scaffolder's does. */
function Harness(props: {
  cluster?: string;
  initial?: string;
  onChange: jest.Mock;
  clusterField?: string;
}) {
  const [value, setValue] = useState<string | undefined>(props.initial);
  const clusterField = props.clusterField ?? 'cluster';
  const fieldProps = {
    formData: value,
    onChange: (next: string | undefined) => {
      props.onChange(next);
      setValue(next);
    },
    schema: {
      type: 'string',
      title: 'Team namespace',
      description: 'Pipelines run here.',
    },
    uiSchema: { 'ui:options': { clusterField } },
    rawErrors: [],
    required: true,
    idSchema: { $id: 'root_namespace' },
    formContext: { formData: { [clusterField]: props.cluster } },
  } as unknown as TeamNamespacePickerProps;
  return (
    <>
      <TeamNamespacePicker {...fieldProps} />
      <output data-testid="value">{value ?? ''}</output>
    </>
  );
}

async function render(
  api: MockClustersApi,
  props: Omit<Parameters<typeof Harness>[0], 'onChange'> = {},
) {
  const onChange = jest.fn();
  await renderInTestApp(<Harness {...props} onChange={onChange} />, {
    apis: [[pipelineClustersApiRef, api]],
  });
  return { onChange, input: screen.getByRole('textbox') };
}

describe('TeamNamespacePicker', () => {
  it('offers the team namespaces of the chosen cluster, with their owners', async () => {
    const api = mockClustersApi({
      listNamespaces: jest.fn(async () => NAMESPACES),
    });
    const { input } = await render(api, {
      cluster: 'resource:default/prod-eu',
    });
    await waitFor(() =>
      expect(api.listNamespaces).toHaveBeenCalledWith('prod-eu'),
    );
    expect(input).toBeEnabled();

    await userEvent.click(input);
    const options = await screen.findAllByRole('option');
    expect(options.map(o => o.textContent)).toEqual([
      'marketing-jobsgroup:default/marketing',
      'payments-webgroup:default/payments',
    ]);
    await userEvent.click(options[1]);
    expect(screen.getByTestId('value')).toHaveTextContent('payments-web');
    expect(
      screen.getByText('Exists on prod-eu, owned by group:default/payments.'),
    ).toBeInTheDocument();
  });

  it('keeps a new name typed in, after leaving the field', async () => {
    const api = mockClustersApi({
      listNamespaces: jest.fn(async () => NAMESPACES),
    });
    const { input, onChange } = await render(api, {
      cluster: 'resource:default/prod-eu',
    });
    await userEvent.type(input, 'payments-new');
    await userEvent.tab();
    expect(input).toHaveValue('payments-new');
    expect(onChange).toHaveBeenLastCalledWith('payments-new');
    expect(screen.getByTestId('value')).toHaveTextContent('payments-new');
    expect(
      screen.getByText('Not on prod-eu yet: a new namespace.'),
    ).toBeInTheDocument();
  });

  it('reads the cluster from the field named in ui:options', async () => {
    const api = mockClustersApi({
      listNamespaces: jest.fn(async () => []),
    });
    await render(api, {
      clusterField: 'runtimeCluster',
      cluster: 'resource:platform/batch-us',
    });
    await waitFor(() =>
      expect(api.listNamespaces).toHaveBeenCalledWith('batch-us'),
    );
  });

  it('says what is wrong with a name that is not a DNS label', async () => {
    const api = mockClustersApi();
    const { input } = await render(api, {
      cluster: 'resource:default/prod-eu',
    });
    await userEvent.type(input, 'Payments_Dev');
    expect(
      screen.getByText(/^A namespace name is a DNS label: lower-case letters/),
    ).toBeInTheDocument();
    await userEvent.clear(input);
    await userEvent.type(input, 'a'.repeat(64));
    expect(
      screen.getByText(
        'A namespace name has at most 63 characters; this one has 64.',
      ),
    ).toBeInTheDocument();
  });

  it('is disabled, with a hint, until a cluster is chosen', async () => {
    const api = mockClustersApi();
    const { input } = await render(api, { cluster: undefined });
    expect(input).toBeDisabled();
    expect(
      screen.getByText(
        'Choose the cluster first: the namespaces offered are its own.',
      ),
    ).toBeInTheDocument();
    expect(api.listNamespaces).not.toHaveBeenCalled();
  });

  it('still takes a typed name when the list cannot be read, and says why', async () => {
    const api = mockClustersApi({
      listNamespaces: jest.fn(async () => {
        throw await responseError(
          503,
          'Listing the namespaces of cluster "prod-eu" failed: HTTP 502',
        );
      }),
    });
    const { input } = await render(api, {
      cluster: 'resource:default/prod-eu',
    });
    expect(
      await screen.findByText(
        'The namespaces of prod-eu could not be listed (Listing the namespaces of cluster "prod-eu" failed: HTTP 502): type the name.',
      ),
    ).toBeInTheDocument();
    expect(input).toBeEnabled();
    await userEvent.type(input, 'payments-dev');
    await userEvent.tab();
    expect(screen.getByTestId('value')).toHaveTextContent('payments-dev');
  });
});

describe('teamNamespaceValidation', () => {
  const validate = (value: string) => {
    const errors: string[] = [];
    teamNamespaceValidation(
      value,
      { addError: (e: string) => errors.push(e) } as any,
      {} as any,
    );
    return errors;
  };

  it('accepts DNS labels and refuses the rest, saying why', () => {
    expect(validate('payments-dev')).toEqual([]);
    expect(validate('a'.repeat(63))).toEqual([]);
    expect(validate('-payments')).toEqual([
      expect.stringContaining('A namespace name is a DNS label'),
    ]);
    expect(validate('a'.repeat(64))).toEqual([
      'A namespace name has at most 63 characters; this one has 64.',
    ]);
  });
});

describe('the TeamNamespacePicker extension', () => {
  it('is a scaffolder form field of the plugin, named for ui:field', async () => {
    expect(
      plugin.getExtension(
        'scaffolder-form-field:pipeline-clusters/team-namespace-picker',
      ),
    ).toBeDefined();
    const loader = createExtensionTester(teamNamespacePickerField).get(
      FormFieldBlueprint.dataRefs.formFieldLoader,
    );
    const field = (await loader()) as unknown as Record<string, unknown>;
    expect(field).toMatchObject({
      name: 'TeamNamespacePicker',
      component: TeamNamespacePicker,
      validation: teamNamespaceValidation,
    });
  });
});
