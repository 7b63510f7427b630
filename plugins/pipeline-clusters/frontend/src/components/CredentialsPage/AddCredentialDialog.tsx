import { useApi } from '@backstage/frontend-plugin-api';
import {
  CLOUD_CREDENTIAL_KINDS,
  CloudCredentialKind,
  createCredentialSchema,
  secretValueSchemas,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { useState } from 'react';
import { pipelineClustersApiRef } from '../../api';
import { FormDialog } from '@pipeline-portal/frontend-kit';
import { FormTextField, NameField } from '../forms/FormTextField';
import { OwnerSelect, useDefaultOwner } from '../forms/OwnerSelect';
import { useFormSubmit, validated } from '../forms/useFormSubmit';

// Fields whose value is a multi-line key, JSON document or PEM block.
const MULTILINE_FIELD = /privateKey|serviceAccountKey|kubeconfig/;
// Fields to mask while typing.
const SECRET_FIELD = /secret|token|passphrase|password/i;

function valueFields(kind: CloudCredentialKind) {
  const shape = secretValueSchemas[kind].shape as Record<
    string,
    { safeParse(value: unknown): { success: boolean } }
  >;
  return Object.entries(shape).map(([key, schema]) => ({
    key,
    optional: schema.safeParse(undefined).success,
    multiline: MULTILINE_FIELD.test(key),
    secret: SECRET_FIELD.test(key),
  }));
}

export function AddCredentialDialog(props: {
  open: boolean;
  groups: string[];
  onClose: () => void;
  onAdded: () => void;
}) {
  const api = useApi(pipelineClustersApiRef);
  const [owner, setOwner] = useDefaultOwner(props.groups);
  const [name, setName] = useState('');
  const [kind, setKind] = useState<CloudCredentialKind>('aws');
  const [values, setValues] = useState<Record<string, string>>({});
  const form = useFormSubmit();

  const fields = valueFields(kind);

  const reset = () => {
    // Secret values live in this dialog only: drop them when it closes.
    setValues({});
    setName('');
    form.reset();
  };

  const close = () => {
    reset();
    props.onClose();
  };

  const submit = async () => {
    const value: Record<string, string> = {};
    for (const field of fields) {
      const v = values[field.key] ?? '';
      // Optional fields left empty are left out rather than sent blank.
      if (v !== '' || !field.optional) {
        value[field.key] = v;
      }
    }
    const input = validated(
      createCredentialSchema.safeParse({
        name: name.trim(),
        owner,
        kind,
        value,
      }),
    );
    const sent = await form.submit(input, request =>
      api.createCredential(request).then(() => undefined),
    );
    if (sent) {
      reset();
      props.onAdded();
    }
  };

  return (
    <FormDialog
      open={props.open}
      title="Add credential"
      testId="credential"
      submitLabel="Add"
      form={form}
      onClose={close}
      onSubmit={submit}
    >
      <OwnerSelect
        value={owner}
        groups={props.groups}
        testId="credential-owner"
        margin="dense"
        error={form.errors.owner}
        onChange={setOwner}
      />
      <NameField
        margin="dense"
        value={name}
        onValue={setName}
        testId="credential-name"
        error={form.errors.name}
      />
      <FormTextField
        select
        label="Kind"
        fullWidth
        margin="dense"
        value={kind}
        onValue={next => {
          setKind(next as CloudCredentialKind);
          setValues({});
          form.reset();
        }}
        SelectProps={{ native: true }}
        testId="credential-kind"
      >
        {CLOUD_CREDENTIAL_KINDS.map(k => (
          <option key={k} value={k}>
            {k}
          </option>
        ))}
      </FormTextField>
      {fields.map(field => (
        <FormTextField
          key={`${kind}.${field.key}`}
          label={field.key}
          fullWidth
          required={!field.optional}
          margin="dense"
          type={field.secret && !field.multiline ? 'password' : 'text'}
          autoComplete="off"
          multiline={field.multiline}
          minRows={field.multiline ? 6 : undefined}
          variant={field.multiline ? 'outlined' : 'standard'}
          value={values[field.key] ?? ''}
          onValue={v => setValues({ ...values, [field.key]: v })}
          testId={`credential-value-${field.key}`}
          inputProps={{
            spellCheck: false,
            style: field.multiline ? { fontFamily: 'monospace' } : undefined,
          }}
          error={form.errors[`value.${field.key}`]}
        />
      ))}
    </FormDialog>
  );
}
