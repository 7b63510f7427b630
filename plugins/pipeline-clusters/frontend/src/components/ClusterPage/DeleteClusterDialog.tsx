import DialogContentText from '@material-ui/core/DialogContentText';
import TextField from '@material-ui/core/TextField';
import { useState } from 'react';
import { FormDialog } from '@pipeline-portal/frontend-kit';

/** Deleting a cluster destroys its workloads: the user types its name to confirm. */
export function DeleteClusterDialog(props: {
  name: string;
  open: boolean;
  onClose: () => void;
  onConfirm: () => Promise<void>;
}) {
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const close = () => {
    setTyped('');
    props.onClose();
  };
  const confirm = async () => {
    setBusy(true);
    try {
      await props.onConfirm();
      setTyped('');
    } finally {
      setBusy(false);
    }
  };
  return (
    <FormDialog
      open={props.open}
      title={`Delete cluster ${props.name}?`}
      testId="delete-confirm"
      submitTestId="delete-confirm-button"
      submitLabel="Delete"
      submitColor="secondary"
      submitDisabled={typed !== props.name}
      form={{ submitting: busy }}
      onClose={close}
      onSubmit={confirm}
    >
      <DialogContentText>
        The cluster and everything running on it will be destroyed. Type{' '}
        <strong>{props.name}</strong> to confirm.
      </DialogContentText>
      <TextField
        fullWidth
        label="Cluster name"
        value={typed}
        onChange={e => setTyped(e.target.value)}
        inputProps={{ 'data-testid': 'delete-confirm-input' }}
      />
    </FormDialog>
  );
}
