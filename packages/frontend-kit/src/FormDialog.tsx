import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import CircularProgress from '@material-ui/core/CircularProgress';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Alert from '@material-ui/lab/Alert';
import { ReactNode } from 'react';

/** The server's answer shown beside the form. */
export interface FormAlert {
  severity: 'error' | 'warning' | 'info';
  text: string;
}

export interface FormDialogProps {
  open: boolean;
  title: ReactNode;
  testId: string;
  submitLabel: string;
  /** The form's state: a request running, and the answer to show. */
  form: { submitting: boolean; alert?: FormAlert };
  maxWidth?: 'sm' | 'md' | 'lg';
  /** `secondary` for destructive actions. */
  submitColor?: 'primary' | 'secondary';
  /** Why the form cannot be sent now, if it cannot: shown, and submit disabled. */
  blocked?: string;
  /** Submit disabled without a message (e.g. until a confirmation is typed). */
  submitDisabled?: boolean;
  /** The submit button's test id; default `<testId>-submit`. */
  submitTestId?: string;
  /** Buttons between Cancel and submit, e.g. Back. */
  actions?: ReactNode;
  onClose: () => void;
  onSubmit: () => void;
  children: ReactNode;
}

/**
 * A dialog around a form: the fields, the server's answer beside them, and
 * Cancel / submit, the latter busy while the request runs. Test ids are
 * `<testId>` (the dialog), `<testId>-blocked`, `<testId>-error`,
 * `<testId>-progress`, `<testId>-cancel` and `<testId>-submit`.
 */
export function FormDialog(props: FormDialogProps) {
  const { submitting, alert } = props.form;
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
          disabled={submitting || !!props.blocked || !!props.submitDisabled}
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
          data-testid={props.submitTestId ?? `${props.testId}-submit`}
        >
          {props.submitLabel}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
