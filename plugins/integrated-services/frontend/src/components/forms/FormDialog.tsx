import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import CircularProgress from '@material-ui/core/CircularProgress';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Alert from '@material-ui/lab/Alert';
import { ReactNode } from 'react';

export interface FormAlert {
  severity: 'error' | 'warning' | 'info';
  text: string;
}

/**
 * A dialog around a form, as the clusters pages have it (that one is not
 * exported): the fields, the server's answer beside them, and Cancel /
 * submit, the latter busy while the request runs. Test ids are
 * `<testId>-error`, `<testId>-submit` and `<testId>-cancel`.
 */
export function FormDialog(props: {
  open: boolean;
  title: ReactNode;
  testId: string;
  submitLabel: string;
  submitting: boolean;
  alert?: FormAlert;
  maxWidth?: 'sm' | 'md' | 'lg';
  /** `secondary` for destructive actions. */
  submitColor?: 'primary' | 'secondary';
  /** Why the form cannot be sent now, if it cannot: shown, and submit disabled. */
  blocked?: string;
  /** Buttons before submit, e.g. Back. */
  actions?: ReactNode;
  onClose: () => void;
  onSubmit: () => void;
  children: ReactNode;
}) {
  const { submitting, alert } = props;
  return (
    <Dialog
      open={props.open}
      onClose={props.onClose}
      maxWidth={props.maxWidth ?? 'sm'}
      fullWidth
      data-testid={props.testId}
    >
      <DialogTitle>{props.title}</DialogTitle>
      <DialogContent>
        {props.children}
        {props.blocked && (
          <Box mt={2}>
            <Alert severity="info" data-testid={`${props.testId}-blocked`}>
              {props.blocked}
            </Alert>
          </Box>
        )}
        {alert && (
          <Box mt={2}>
            <Alert
              severity={alert.severity}
              data-testid={`${props.testId}-error`}
            >
              {alert.text}
            </Alert>
          </Box>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose} data-testid={`${props.testId}-cancel`}>
          Cancel
        </Button>
        {props.actions}
        <Button
          color={props.submitColor ?? 'primary'}
          variant="contained"
          disabled={submitting || !!props.blocked}
          aria-busy={submitting}
          startIcon={
            submitting ? (
              <CircularProgress
                size={16}
                color="inherit"
                data-testid={`${props.testId}-progress`}
              />
            ) : undefined
          }
          onClick={props.onSubmit}
          data-testid={`${props.testId}-submit`}
        >
          {props.submitLabel}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
