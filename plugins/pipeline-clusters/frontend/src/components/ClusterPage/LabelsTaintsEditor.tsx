import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import IconButton from '@material-ui/core/IconButton';
import Typography from '@material-ui/core/Typography';
import AddIcon from '@material-ui/icons/Add';
import DeleteIcon from '@material-ui/icons/Delete';
import { TaintEffect } from '@pipeline-portal/plugin-pipeline-clusters-common';
import { ReactNode } from 'react';
import { FormTextField } from '../forms/FormTextField';
import { FieldErrors } from '../forms/useFormSubmit';
import {
  emptyLabel,
  emptyTaint,
  LabelRow,
  TAINT_EFFECTS,
  TaintRow,
} from './nodePoolForm';

const KEY_HINT = { label: 'example.com/role', taint: 'dedicated' };

/** A list of rows, each with its own remove button, and an add button. */
function Rows<T>(props: {
  title: string;
  help: string;
  /** Test ids: `pool-<kind>-<i>-<field>`, `pool-<kind>-<i>-remove`, `pool-add-<kind>`. */
  kind: 'label' | 'taint';
  rows: T[];
  error?: string;
  disabled?: boolean;
  empty: () => T;
  onChange: (rows: T[]) => void;
  renderRow: (row: T, index: number, set: (row: T) => void) => ReactNode;
}) {
  const { rows, onChange } = props;
  return (
    <Box mt={2} data-testid={`pool-${props.kind}s`}>
      <Typography variant="subtitle2">{props.title}</Typography>
      <Typography variant="caption" color="textSecondary">
        {props.help}
      </Typography>
      {props.error && (
        <Typography variant="body2" color="error">
          {props.error}
        </Typography>
      )}
      {rows.map((row, index) => (
        <Box
          key={index}
          display="flex"
          alignItems="flex-start"
          style={{ gap: 8 }}
        >
          {props.renderRow(row, index, next =>
            onChange(rows.map((r, i) => (i === index ? next : r))),
          )}
          <IconButton
            aria-label={`Remove ${props.kind} ${index + 1}`}
            disabled={props.disabled}
            onClick={() => onChange(rows.filter((_, i) => i !== index))}
            data-testid={`pool-${props.kind}-${index}-remove`}
          >
            <DeleteIcon fontSize="small" />
          </IconButton>
        </Box>
      ))}
      <Button
        size="small"
        startIcon={<AddIcon />}
        disabled={props.disabled}
        onClick={() => onChange([...rows, props.empty()])}
        data-testid={`pool-add-${props.kind}`}
      >
        Add {props.kind}
      </Button>
    </Box>
  );
}

/**
 * The Kubernetes labels and taints of a node pool's nodes, as rows; used
 * when a pool is added and when it is edited. Errors are keyed
 * `labels.<row>.key`, `taints.<row>.effect` and so on.
 */
export function LabelsTaintsEditor(props: {
  labels: LabelRow[];
  taints: TaintRow[];
  errors: FieldErrors;
  disabled?: boolean;
  onLabelsChange: (rows: LabelRow[]) => void;
  onTaintsChange: (rows: TaintRow[]) => void;
}) {
  const { errors, disabled } = props;
  const text = (
    kind: 'label' | 'taint',
    index: number,
    field: 'key' | 'value',
    value: string,
    onChange: (value: string) => void,
  ) => {
    return (
      <FormTextField
        label={field === 'key' ? 'Key' : 'Value'}
        margin="dense"
        value={value}
        disabled={disabled}
        placeholder={field === 'key' ? KEY_HINT[kind] : undefined}
        InputLabelProps={{ shrink: true }}
        onValue={onChange}
        testId={`pool-${kind}-${index}-${field}`}
        inputProps={{ spellCheck: false }}
        error={errors[`${kind}s.${index}.${field}`]}
        style={{ flex: 1 }}
      />
    );
  };

  /** The key and value inputs of a row. */
  const keyValue = <T extends LabelRow>(
    kind: 'label' | 'taint',
    index: number,
    row: T,
    set: (row: T) => void,
  ) => (
    <>
      {text(kind, index, 'key', row.key, key => set({ ...row, key }))}
      {text(kind, index, 'value', row.value, value => set({ ...row, value }))}
    </>
  );

  return (
    <>
      <Rows<LabelRow>
        title="Labels"
        help="Node labels, for nodeSelector and affinity."
        kind="label"
        rows={props.labels}
        error={errors.labels}
        disabled={disabled}
        empty={emptyLabel}
        onChange={props.onLabelsChange}
        renderRow={(row, i, set) => keyValue('label', i, row, set)}
      />
      <Rows<TaintRow>
        title="Taints"
        help="Only pods that tolerate a taint are scheduled (or kept) on these nodes."
        kind="taint"
        rows={props.taints}
        error={errors.taints}
        disabled={disabled}
        empty={emptyTaint}
        onChange={props.onTaintsChange}
        renderRow={(row, i, set) => (
          <>
            {keyValue('taint', i, row, set)}
            <FormTextField
              select
              label="Effect"
              margin="dense"
              value={row.effect}
              disabled={disabled}
              onValue={effect => set({ ...row, effect: effect as TaintEffect })}
              SelectProps={{ native: true }}
              testId={`pool-taint-${i}-effect`}
              error={errors[`taints.${i}.effect`]}
              style={{ minWidth: 170 }}
            >
              {TAINT_EFFECTS.map(effect => (
                <option key={effect} value={effect}>
                  {effect}
                </option>
              ))}
            </FormTextField>
          </>
        )}
      />
    </>
  );
}
