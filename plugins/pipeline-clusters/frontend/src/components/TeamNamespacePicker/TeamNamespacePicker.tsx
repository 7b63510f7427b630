import { useApi } from '@backstage/frontend-plugin-api';
import {
  CustomFieldValidator,
  FieldExtensionComponentProps,
} from '@backstage/plugin-scaffolder-react';
import { TeamNamespaceSummary } from '@pipeline-portal/plugin-pipeline-clusters-common';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Autocomplete from '@material-ui/lab/Autocomplete';
import useAsync from 'react-use/esm/useAsync';
import { pipelineClustersApiRef } from '../../api';
import { clusterNameOf, namespaceNameProblem } from './namespaceName';

export interface TeamNamespacePickerUiOptions {
  /** The form field holding the cluster (an entity ref); default `cluster`. */
  clusterField?: string;
}

export type TeamNamespacePickerProps = FieldExtensionComponentProps<
  string,
  TeamNamespacePickerUiOptions
>;

/** The backend's own words when the error carries them. */
function reason(error: Error): string {
  const body = (error as { body?: { error?: { message?: unknown } } }).body;
  const message = body?.error?.message;
  return typeof message === 'string' ? message : error.message;
}

function ownerOf(namespace: TeamNamespaceSummary | undefined) {
  return namespace?.owner ? `, owned by ${namespace.owner}` : '';
}

/**
 * A team namespace on the cluster chosen in another field: one of those the
 * portal created there, or a new name typed in.
 */
export function TeamNamespacePicker(props: TeamNamespacePickerProps) {
  const {
    formData,
    onChange,
    schema,
    uiSchema,
    rawErrors,
    required,
    disabled,
    formContext,
    idSchema,
  } = props;
  const api = useApi(pipelineClustersApiRef);
  const clusterField = uiSchema?.['ui:options']?.clusterField ?? 'cluster';
  const cluster = clusterNameOf(formContext?.formData?.[clusterField]);

  const listing = useAsync(
    async () => (cluster ? api.listNamespaces(cluster) : []),
    [api, cluster],
  );
  const namespaces = listing.value ?? [];

  const value = formData ?? '';
  const problem = value ? namespaceNameProblem(value) : undefined;
  const existing = namespaces.find(n => n.name === value);
  const update = (next: string | null) => {
    const name = next ?? '';
    if (name !== value) onChange(name || undefined);
  };

  let helperText: string | undefined;
  if (!cluster) {
    helperText =
      'Choose the cluster first: the namespaces offered are its own.';
  } else if (problem) {
    helperText = problem;
  } else if (listing.error) {
    helperText = `The namespaces of ${cluster} could not be listed (${reason(
      listing.error,
    )}): type the name.`;
  } else if (existing) {
    helperText = `Exists on ${cluster}${ownerOf(existing)}.`;
  } else if (value && !listing.loading) {
    helperText = `Not on ${cluster} yet: a new namespace.`;
  } else {
    helperText = schema.description;
  }

  return (
    <Autocomplete<string, false, false, true>
      freeSolo
      id={idSchema?.$id}
      data-testid="team-namespace-picker"
      options={namespaces.map(n => n.name)}
      value={value || null}
      inputValue={value}
      onChange={(_event, next) => update(next)}
      onInputChange={(_event, next) => update(next)}
      disabled={disabled || !cluster}
      loading={listing.loading}
      renderOption={name => {
        const namespace = namespaces.find(n => n.name === name);
        return (
          <div>
            <Typography variant="body1">{name}</Typography>
            {namespace?.owner && (
              <Typography variant="caption" color="textSecondary">
                {namespace.owner}
              </Typography>
            )}
          </div>
        );
      }}
      renderInput={params => (
        <TextField
          {...params}
          label={schema.title ?? 'Team namespace'}
          margin="dense"
          variant="outlined"
          required={required}
          error={!!problem || (!!rawErrors?.length && !value)}
          helperText={helperText}
        />
      )}
    />
  );
}

/** Refuses what Kubernetes would refuse as a namespace name. */
export const teamNamespaceValidation: CustomFieldValidator<string> = (
  value,
  validation,
) => {
  const problem = value ? namespaceNameProblem(value) : undefined;
  if (problem) validation.addError(problem);
};
