import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { NodePool } from '@pipeline-portal/plugin-pipeline-clusters-common';
import { useState } from 'react';
import { FormDialog } from '@pipeline-portal/frontend-kit';
import { FormTextField, NameField } from '../forms/FormTextField';
import { useFormSubmit } from '../forms/useFormSubmit';
import { LabelsTaintsEditor } from './LabelsTaintsEditor';
import {
  explainPoolChange,
  newPoolForm,
  NodePoolForm,
  poolForm,
  poolsWithForm,
} from './nodePoolForm';

type SizeField = 'minSize' | 'desiredSize' | 'maxSize';
const SIZE_LABELS: Record<SizeField, string> = {
  minSize: 'Min',
  desiredSize: 'Desired',
  maxSize: 'Max',
};

/**
 * Adds a node pool (without `pool`) or edits the labels and taints of
 * `pool`. Sends the cluster's whole pool list with the change; a 400 marks
 * the fields it names, a 409 leaves the input for another try.
 */
export function NodePoolDialog(props: {
  /** The cluster's pools as last read. */
  pools: NodePool[];
  pool?: NodePool;
  /** Why changes wait (an operation is under way), if they do. */
  blocked?: string;
  onClose: () => void;
  /** Sends the new pool list; rejects with the API's error. */
  onSubmit: (pools: NodePool[]) => Promise<void>;
}) {
  const editing = props.pool?.name;
  const [form, setForm] = useState<NodePoolForm>(() =>
    props.pool ? poolForm(props.pool) : newPoolForm(),
  );
  const found = props.pools.findIndex(p => p.name === editing);
  const index = editing === undefined ? props.pools.length : found;
  const state = useFormSubmit(explainPoolChange(form, index));
  const set = (change: Partial<NodePoolForm>) =>
    setForm(current => ({ ...current, ...change }));

  const submit = async () => {
    // The pool may have gone since the dialog opened (after a reload).
    if (index < 0) {
      props.onClose();
      return;
    }
    const base = editing
      ? // Only labels and taints change: the rest as the cluster has it now.
        {
          ...poolForm(props.pools[index]),
          labels: form.labels,
          taints: form.taints,
        }
      : form;
    if (
      await state.submit(
        poolsWithForm(base, props.pools, index),
        props.onSubmit,
      )
    ) {
      props.onClose();
    }
  };

  const disabled = state.submitting;
  const sizeField = (field: SizeField) => (
    <Grid item xs={4}>
      <FormTextField
        label={SIZE_LABELS[field]}
        type="number"
        fullWidth
        margin="dense"
        disabled={disabled}
        value={form[field]}
        onValue={value => set({ [field]: value })}
        testId={`pool-form-${field}`}
        inputProps={{ min: 0 }}
        error={state.errors[field]}
      />
    </Grid>
  );

  return (
    <FormDialog
      open
      title={
        editing ? `Labels and taints of node pool ${editing}` : 'Add node pool'
      }
      testId="node-pool"
      submitLabel={editing ? 'Save' : 'Add'}
      form={state}
      blocked={props.blocked}
      onClose={props.onClose}
      onSubmit={submit}
    >
      {editing ? (
        <Typography variant="body2" color="textSecondary">
          The cloud applies changed labels and taints to the pool's nodes. A
          NoExecute taint evicts the running pods that do not tolerate it.
        </Typography>
      ) : (
        <Grid container spacing={2}>
          <Grid item xs={12} sm={6}>
            <NameField
              margin="dense"
              disabled={disabled}
              value={form.name}
              onValue={name => set({ name })}
              testId="pool-form-name"
              error={state.errors.name}
              helperText='Lower-case letters, digits and "-"; unique in the cluster.'
            />
          </Grid>
          <Grid item xs={12} sm={6}>
            <FormTextField
              label="Machine type"
              fullWidth
              required
              margin="dense"
              disabled={disabled}
              placeholder={props.pools[0]?.machineType}
              InputLabelProps={{ shrink: true }}
              value={form.machineType}
              onValue={machineType => set({ machineType })}
              testId="pool-form-machineType"
              error={state.errors.machineType}
            />
          </Grid>
          {sizeField('minSize')}
          {sizeField('desiredSize')}
          {sizeField('maxSize')}
        </Grid>
      )}
      <LabelsTaintsEditor
        labels={form.labels}
        taints={form.taints}
        errors={state.errors}
        disabled={disabled}
        onLabelsChange={labels => set({ labels })}
        onTaintsChange={taints => set({ taints })}
      />
    </FormDialog>
  );
}
