import DialogContentText from '@material-ui/core/DialogContentText';
import { NodePool } from '@pipeline-portal/plugin-pipeline-clusters-common';
import { FormDialog } from '@pipeline-portal/frontend-kit';
import { useFormSubmit } from '../forms/useFormSubmit';
import { explainPoolChange, poolForm } from './nodePoolForm';

/** Confirms removing a node pool, naming it and what goes with it. */
export function RemoveNodePoolDialog(props: {
  clusterName: string;
  pools: NodePool[];
  pool: NodePool;
  /** Why changes wait (an operation is under way), if they do. */
  blocked?: string;
  onClose: () => void;
  onSubmit: (pools: NodePool[]) => Promise<void>;
}) {
  const { pool } = props;
  const index = props.pools.findIndex(p => p.name === pool.name);
  const state = useFormSubmit(explainPoolChange(poolForm(pool), index));
  const remaining = props.pools.filter(p => p.name !== pool.name);

  const submit = async () => {
    // Gone already (the cluster was reloaded after a conflict).
    if (index < 0) {
      props.onClose();
      return;
    }
    const input = remaining.length
      ? { ok: true as const, value: remaining }
      : {
          ok: false as const,
          errors: { '': 'A cluster needs at least one node pool.' },
        };
    if (await state.submit(input, props.onSubmit)) {
      props.onClose();
    }
  };

  return (
    <FormDialog
      open
      title={`Remove node pool ${pool.name}?`}
      testId="remove-pool"
      submitLabel="Remove"
      submitColor="secondary"
      form={state}
      blocked={props.blocked}
      onClose={props.onClose}
      onSubmit={submit}
    >
      <DialogContentText data-testid="remove-pool-text">
        The nodes of <strong>{pool.name}</strong> ({pool.machineType},{' '}
        {pool.desiredSize} desired) are drained and deleted from{' '}
        {props.clusterName}. Pods that only fit there, by their node selector,
        affinity or tolerations, stay Pending until another pool takes them.
      </DialogContentText>
    </FormDialog>
  );
}
