import TextField from '@material-ui/core/TextField';

/**
 * Chart values merged over what the spec renders, as YAML. Parse errors and
 * the server's complaints about `/overrides/...` show under the field.
 */
export function OverridesEditor(props: {
  value: string;
  error?: string;
  disabled?: boolean;
  onChange: (text: string) => void;
}) {
  return (
    <TextField
      label="Overrides (chart values, YAML)"
      multiline
      minRows={4}
      maxRows={16}
      fullWidth
      variant="outlined"
      value={props.value}
      disabled={props.disabled}
      onChange={e => props.onChange(e.target.value)}
      error={!!props.error}
      helperText={
        props.error ??
        'Merged over the values the version and spec render; kept across upgrades.'
      }
      inputProps={{
        'data-testid': 'overrides-editor',
        spellCheck: false,
        style: { fontFamily: 'monospace' },
      }}
      FormHelperTextProps={
        { 'data-testid': 'overrides-helper' } as Record<string, string>
      }
    />
  );
}
