import { useApi } from '@backstage/frontend-plugin-api';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Alert from '@material-ui/lab/Alert';
import { importClusterSchema } from '@pipeline-portal/plugin-pipeline-clusters-common';
import { useEffect, useState } from 'react';
import { pipelineClustersApiRef } from '../../api';
import { errorMessage, fieldErrors } from '../util';

export function ImportClusterDialog(props: {
  open: boolean;
  groups: string[];
  onClose: () => void;
  onImported: () => void;
}) {
  const api = useApi(pipelineClustersApiRef);
  const [name, setName] = useState('');
  const [owner, setOwner] = useState('');
  const [kubeconfig, setKubeconfig] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [serverError, setServerError] = useState<string>();
  const [submitting, setSubmitting] = useState(false);

  useEffect(() => {
    if (!owner && props.groups.length) {
      setOwner(props.groups[0]);
    }
  }, [owner, props.groups]);

  const close = () => {
    // The kubeconfig holds credentials: do not keep it around.
    setKubeconfig('');
    props.onClose();
  };

  const submit = async () => {
    setServerError(undefined);
    const parsed = importClusterSchema.safeParse({
      name: name.trim(),
      owner,
      kubeconfig,
    });
    if (!parsed.success) {
      setErrors(fieldErrors(parsed.error.issues));
      return;
    }
    setErrors({});
    setSubmitting(true);
    try {
      await api.importCluster(parsed.data);
      setName('');
      setKubeconfig('');
      props.onImported();
    } catch (e) {
      setServerError(errorMessage(e));
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <Dialog open={props.open} onClose={close} maxWidth="sm" fullWidth>
      <DialogTitle>Import cluster</DialogTitle>
      <DialogContent>
        <TextField
          label="Name"
          fullWidth
          required
          margin="dense"
          value={name}
          onChange={e => setName(e.target.value)}
          inputProps={{ 'data-testid': 'import-cluster-name' }}
          error={!!errors.name}
          helperText={errors.name}
        />
        <TextField
          select
          label="Owner"
          fullWidth
          required
          margin="dense"
          value={owner}
          onChange={e => setOwner(e.target.value)}
          SelectProps={{ native: true }}
          inputProps={{ 'data-testid': 'import-cluster-owner' }}
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
          label="Kubeconfig"
          fullWidth
          required
          multiline
          minRows={8}
          margin="dense"
          variant="outlined"
          value={kubeconfig}
          onChange={e => setKubeconfig(e.target.value)}
          inputProps={{
            'data-testid': 'import-cluster-kubeconfig',
            spellCheck: false,
            style: { fontFamily: 'monospace' },
          }}
          error={!!errors.kubeconfig}
          helperText={errors.kubeconfig}
        />
        {serverError && (
          <Alert severity="error" data-testid="import-cluster-error">
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
          data-testid="import-cluster-submit"
        >
          Import
        </Button>
      </DialogActions>
    </Dialog>
  );
}
