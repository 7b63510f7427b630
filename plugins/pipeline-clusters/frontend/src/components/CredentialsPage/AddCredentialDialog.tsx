import { useApi } from '@backstage/frontend-plugin-api';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Alert from '@material-ui/lab/Alert';
import {
  CLOUD_CREDENTIAL_KINDS,
  CloudCredentialKind,
  createCredentialSchema,
  secretValueSchemas,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { useEffect, useState } from 'react';
import { pipelineClustersApiRef } from '../../api';
import { errorMessage, fieldErrors } from '../util';

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
  const [owner, setOwner] = useState('');
  const [name, setName] = useState('');
  const [kind, setKind] = useState<CloudCredentialKind>('aws');
  const [values, setValues] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [serverError, setServerError] = useState<string>();
  const [submitting, setSubmitting] = useState(false);

  useEffect(() => {
    if (!owner && props.groups.length) {
      setOwner(props.groups[0]);
    }
  }, [owner, props.groups]);

  const fields = valueFields(kind);

  const reset = () => {
    // Secret values live in this dialog only: drop them when it closes.
    setValues({});
    setName('');
    setErrors({});
    setServerError(undefined);
  };

  const close = () => {
    reset();
    props.onClose();
  };

  const submit = async () => {
    setServerError(undefined);
    const value: Record<string, string> = {};
    for (const field of fields) {
      const v = values[field.key] ?? '';
      // Optional fields left empty are left out rather than sent blank.
      if (v !== '' || !field.optional) {
        value[field.key] = v;
      }
    }
    const parsed = createCredentialSchema.safeParse({
      name: name.trim(),
      owner,
      kind,
      value,
    });
    if (!parsed.success) {
      setErrors(fieldErrors(parsed.error.issues));
      return;
    }
    setErrors({});
    setSubmitting(true);
    try {
      await api.createCredential(parsed.data);
      reset();
      props.onAdded();
    } catch (e) {
      setServerError(errorMessage(e));
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <Dialog open={props.open} onClose={close} maxWidth="sm" fullWidth>
      <DialogTitle>Add credential</DialogTitle>
      <DialogContent>
        <TextField
          select
          label="Owner"
          fullWidth
          required
          margin="dense"
          value={owner}
          onChange={e => setOwner(e.target.value)}
          SelectProps={{ native: true }}
          inputProps={{ 'data-testid': 'credential-owner' }}
          error={!!errors.owner}
          helperText={errors.owner}
        >
          {!props.groups.length && <option value="">No groups</option>}
          {props.groups.map(group => (
            <option key={group} value={group}>
              {group}
            </option>
          ))}
        </TextField>
        <TextField
          label="Name"
          fullWidth
          required
          margin="dense"
          value={name}
          onChange={e => setName(e.target.value)}
          inputProps={{ 'data-testid': 'credential-name' }}
          error={!!errors.name}
          helperText={errors.name}
        />
        <TextField
          select
          label="Kind"
          fullWidth
          margin="dense"
          value={kind}
          onChange={e => {
            setKind(e.target.value as CloudCredentialKind);
            setValues({});
            setErrors({});
          }}
          SelectProps={{ native: true }}
          inputProps={{ 'data-testid': 'credential-kind' }}
        >
          {CLOUD_CREDENTIAL_KINDS.map(k => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </TextField>
        {fields.map(field => {
          const error = errors[`value.${field.key}`];
          return (
            <TextField
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
              onChange={e =>
                setValues({ ...values, [field.key]: e.target.value })
              }
              inputProps={{
                'data-testid': `credential-value-${field.key}`,
                spellCheck: false,
                style: field.multiline
                  ? { fontFamily: 'monospace' }
                  : undefined,
              }}
              error={!!error}
              helperText={error}
            />
          );
        })}
        {serverError && (
          <Alert severity="error" data-testid="credential-error">
            {serverError}
          </Alert>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={close}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          disabled={submitting}
          onClick={submit}
          data-testid="credential-submit"
        >
          Add
        </Button>
      </DialogActions>
    </Dialog>
  );
}
