import TextField, { TextFieldProps } from '@material-ui/core/TextField';

/**
 * A TextField as forms here use it: the typed text to `onValue`, a test id
 * on the input, and the field's error (if any) instead of its helper text.
 */
export function FormTextField(
  props: Omit<TextFieldProps, 'onChange' | 'error'> & {
    testId: string;
    error?: string;
    onValue: (value: string) => void;
  },
) {
  const { testId, error, onValue, inputProps, helperText, ...rest } = props;
  return (
    <TextField
      {...rest}
      onChange={e => onValue(e.target.value)}
      inputProps={{ ...inputProps, 'data-testid': testId }}
      error={!!error}
      helperText={error ?? helperText}
    />
  );
}

/** The name of what a form creates: required, a DNS label the schema checks. */
export function NameField(props: {
  value: string;
  testId: string;
  error?: string;
  label?: string;
  helperText?: string;
  disabled?: boolean;
  margin?: 'dense';
  onValue: (value: string) => void;
}) {
  return (
    <FormTextField
      label={props.label ?? 'Name'}
      fullWidth
      required
      margin={props.margin}
      disabled={props.disabled}
      value={props.value}
      onValue={props.onValue}
      testId={props.testId}
      inputProps={{ spellCheck: false, autoComplete: 'off' }}
      error={props.error}
      helperText={props.helperText}
    />
  );
}
