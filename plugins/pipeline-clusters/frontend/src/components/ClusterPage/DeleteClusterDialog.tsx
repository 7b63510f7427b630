import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import { useState } from 'react';

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
  return (
    <Dialog open={props.open} onClose={close}>
      <DialogTitle>Delete cluster {props.name}?</DialogTitle>
      <DialogContent>
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
      </DialogContent>
      <DialogActions>
        <Button onClick={close}>Cancel</Button>
        <Button
          color="secondary"
          variant="contained"
          disabled={typed !== props.name || busy}
          data-testid="delete-confirm-button"
          onClick={async () => {
            setBusy(true);
            try {
              await props.onConfirm();
              setTyped('');
            } finally {
              setBusy(false);
            }
          }}
        >
          Delete
        </Button>
      </DialogActions>
    </Dialog>
  );
}
