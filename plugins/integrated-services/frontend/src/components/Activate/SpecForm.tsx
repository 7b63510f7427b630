import Box from '@material-ui/core/Box';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import type {
  JsonObject,
  ServiceVersion,
} from '@pipeline-portal/plugin-integrated-services-common';
import { withTheme } from '@rjsf/core';
import { Theme } from '@rjsf/material-ui';
import type { ErrorSchema, RJSFSchema } from '@rjsf/utils';
import validator from '@rjsf/validator-ajv8';
import { Ref } from 'react';
import { OverridesEditor } from './OverridesEditor';

const Form = withTheme(Theme);

/** What the generated form exposes to the dialog: its own validation. */
export interface SpecFormHandle {
  validateForm(): boolean;
}

/**
 * The activate form: the version, the spec generated from that version's
 * JSON Schema, and the overrides editor. Errors the server named by pointer
 * appear at their field.
 */
export function SpecForm(props: {
  versions: ServiceVersion[];
  version: string;
  /** Fixed on update: a version change is an upgrade. */
  versionFixed: boolean;
  versionError?: string;
  spec: JsonObject;
  specErrors: ErrorSchema;
  overrides: string;
  overridesError?: string;
  formRef: Ref<SpecFormHandle>;
  onVersion: (version: string) => void;
  onSpec: (spec: JsonObject) => void;
  onOverrides: (text: string) => void;
}) {
  const chosen = props.versions.find(v => v.version === props.version);
  return (
    <>
      <TextField
        select
        label="Version"
        value={props.version}
        disabled={props.versionFixed}
        onChange={e => props.onVersion(e.target.value)}
        SelectProps={{ native: true }}
        inputProps={{ 'data-testid': 'version-select' }}
        error={!!props.versionError}
        helperText={props.versionError ?? chosen?.description}
        fullWidth
      >
        {props.versions.map(v => (
          <option key={v.version} value={v.version}>
            {v.version}
            {v.deprecated ? ' (deprecated)' : ''}
          </option>
        ))}
      </TextField>
      <Box mt={2} data-testid="spec-form">
        {chosen ? (
          <Form
            // A new version has a new schema: start its form afresh.
            key={chosen.version}
            ref={props.formRef as Ref<any>}
            schema={chosen.specSchema as RJSFSchema}
            formData={props.spec}
            validator={validator}
            extraErrors={props.specErrors}
            showErrorList={false}
            noHtml5Validate
            onChange={e => props.onSpec((e.formData ?? {}) as JsonObject)}
          >
            {/* The dialog's buttons submit; the form has none of its own. */}
            <></>
          </Form>
        ) : (
          <Typography variant="body2">Choose a version.</Typography>
        )}
      </Box>
      <Box mt={2}>
        <OverridesEditor
          value={props.overrides}
          error={props.overridesError}
          onChange={props.onOverrides}
        />
      </Box>
    </>
  );
}
