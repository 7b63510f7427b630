import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import IconButton from '@material-ui/core/IconButton';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import TextField from '@material-ui/core/TextField';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import AddIcon from '@material-ui/icons/Add';
import DeleteIcon from '@material-ui/icons/Delete';
import EditIcon from '@material-ui/icons/Edit';
import {
  NodePool,
  nodePoolSchema,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { ReactElement, useState } from 'react';
import { toNumber } from '../util';
import { NodePoolDialog } from './NodePoolDialog';
import { formatLabel, formatTaint, MAX_NODE_POOLS } from './nodePoolForm';
import { RemoveNodePoolDialog } from './RemoveNodePoolDialog';

type Size = 'minSize' | 'desiredSize' | 'maxSize';
const SIZES: Array<[Size, string]> = [
  ['minSize', 'min'],
  ['desiredSize', 'desired'],
  ['maxSize', 'max'],
];

/** A control that may be disabled, with the reason on hover. */
function Explained(props: { why?: string; children: ReactElement }) {
  return props.why ? (
    <Tooltip title={props.why}>
      {/* A disabled button gets no pointer events: the span shows the tooltip. */}
      <span>{props.children}</span>
    </Tooltip>
  ) : (
    props.children
  );
}

function Chips(props: { items: string[]; testId: string }) {
  return (
    <Box
      display="flex"
      flexWrap="wrap"
      style={{ gap: 4 }}
      data-testid={props.testId}
    >
      {props.items.length ? (
        props.items.map(item => (
          <Chip key={item} size="small" variant="outlined" label={item} />
        ))
      ) : (
        <Typography variant="body2" color="textSecondary">
          —
        </Typography>
      )}
    </Box>
  );
}

function NodePoolRow(props: {
  pool: NodePool;
  editable: boolean;
  /** Why changes wait, if they do. */
  blocked?: string;
  /** Why this pool cannot be removed, if it cannot. */
  unremovable?: string;
  onScale: (pool: NodePool) => Promise<void>;
  onEdit: () => void;
  onRemove: () => void;
}) {
  const { pool, editable, blocked } = props;
  const [sizes, setSizes] = useState<Record<Size, string>>({
    minSize: String(pool.minSize),
    desiredSize: String(pool.desiredSize),
    maxSize: String(pool.maxSize),
  });
  const [error, setError] = useState<string>();
  const [saving, setSaving] = useState(false);
  const dirty = SIZES.some(([key]) => sizes[key] !== String(pool[key]));

  const save = async () => {
    const parsed = nodePoolSchema.safeParse({
      ...pool,
      minSize: toNumber(sizes.minSize),
      desiredSize: toNumber(sizes.desiredSize),
      maxSize: toNumber(sizes.maxSize),
    });
    if (!parsed.success) {
      setError(parsed.error.issues.map(i => i.message).join('; '));
      return;
    }
    setError(undefined);
    setSaving(true);
    try {
      await props.onScale(parsed.data);
    } finally {
      setSaving(false);
    }
  };

  return (
    <TableRow data-testid={`node-pool-row-${pool.name}`}>
      <TableCell>{pool.name}</TableCell>
      <TableCell>{pool.machineType}</TableCell>
      <TableCell>
        <Chips
          testId={`node-pool-labels-${pool.name}`}
          items={Object.entries(pool.labels).map(([k, v]) => formatLabel(k, v))}
        />
      </TableCell>
      <TableCell>
        <Chips
          testId={`node-pool-taints-${pool.name}`}
          items={pool.taints.map(formatTaint)}
        />
      </TableCell>
      {SIZES.map(([key, label]) => (
        <TableCell key={key}>
          {editable ? (
            <TextField
              type="number"
              value={sizes[key]}
              disabled={!!blocked}
              onChange={e => setSizes({ ...sizes, [key]: e.target.value })}
              inputProps={{
                'data-testid': `scale-${pool.name}-${label}`,
                'aria-label': `${pool.name} ${label} size`,
                min: 0,
                style: { width: 64 },
              }}
            />
          ) : (
            <span data-testid={`size-${pool.name}-${label}`}>{pool[key]}</span>
          )}
        </TableCell>
      ))}
      {editable && (
        <TableCell style={{ whiteSpace: 'nowrap' }}>
          <Button
            size="small"
            variant="outlined"
            color="primary"
            disabled={!!blocked || saving || !dirty}
            onClick={save}
            data-testid={`scale-${pool.name}-save`}
          >
            Save
          </Button>
          <Explained why={blocked}>
            <IconButton
              size="small"
              aria-label={`Edit labels and taints of node pool ${pool.name}`}
              disabled={!!blocked}
              onClick={props.onEdit}
              data-testid={`edit-pool-${pool.name}`}
            >
              <EditIcon fontSize="small" />
            </IconButton>
          </Explained>
          <Explained why={blocked ?? props.unremovable}>
            <IconButton
              size="small"
              aria-label={`Remove node pool ${pool.name}`}
              disabled={!!blocked || !!props.unremovable}
              onClick={props.onRemove}
              data-testid={`remove-pool-${pool.name}`}
            >
              <DeleteIcon fontSize="small" />
            </IconButton>
          </Explained>
          {error && (
            <Typography
              color="error"
              variant="body2"
              data-testid={`scale-${pool.name}-error`}
            >
              {error}
            </Typography>
          )}
        </TableCell>
      )}
    </TableRow>
  );
}

type Dialog = { kind: 'add' } | { kind: 'edit' | 'remove'; pool: NodePool };

/**
 * The cluster's node pools: labels and taints, sizes, and for those who may
 * change the cluster, scaling, adding, editing and removing pools.
 */
export function NodePools(props: {
  clusterName: string;
  pools: NodePool[];
  revision: number;
  /** May change the cluster (`cluster.update`). */
  editable: boolean;
  /** Why changes wait (an operation is under way), if they do. */
  blocked?: string;
  /** Scales one pool; reports its own errors. */
  onScale: (pools: NodePool[]) => Promise<void>;
  /** Sends a new pool list; rejects with the API's error for the dialog. */
  onChange: (pools: NodePool[]) => Promise<void>;
}) {
  const { pools, editable, blocked } = props;
  const [dialog, setDialog] = useState<Dialog>();
  const close = () => setDialog(undefined);
  const full =
    pools.length >= MAX_NODE_POOLS
      ? `A cluster has at most ${MAX_NODE_POOLS} node pools.`
      : undefined;

  return (
    <>
      <Table size="small" data-testid="node-pools">
        <TableHead>
          <TableRow>
            <TableCell>Pool</TableCell>
            <TableCell>Machine type</TableCell>
            <TableCell>Labels</TableCell>
            <TableCell>Taints</TableCell>
            <TableCell>Min</TableCell>
            <TableCell>Desired</TableCell>
            <TableCell>Max</TableCell>
            {editable && <TableCell />}
          </TableRow>
        </TableHead>
        <TableBody>
          {pools.map(pool => (
            <NodePoolRow
              // A new revision resets the inputs to what the cluster now has.
              key={`${pool.name}@${props.revision}`}
              pool={pool}
              editable={editable}
              blocked={blocked}
              unremovable={
                pools.length === 1
                  ? 'The last node pool cannot be removed: add another one first.'
                  : undefined
              }
              onScale={scaled =>
                props.onScale(
                  pools.map(p => (p.name === scaled.name ? scaled : p)),
                )
              }
              onEdit={() => setDialog({ kind: 'edit', pool })}
              onRemove={() => setDialog({ kind: 'remove', pool })}
            />
          ))}
        </TableBody>
      </Table>
      {editable && (
        <Box mt={1}>
          <Explained why={blocked ?? full}>
            <Button
              size="small"
              color="primary"
              startIcon={<AddIcon />}
              disabled={!!blocked || !!full}
              onClick={() => setDialog({ kind: 'add' })}
              data-testid="add-node-pool-button"
            >
              Add node pool
            </Button>
          </Explained>
        </Box>
      )}
      {dialog?.kind === 'add' && (
        <NodePoolDialog
          pools={pools}
          blocked={blocked}
          onClose={close}
          onSubmit={props.onChange}
        />
      )}
      {dialog?.kind === 'edit' && (
        <NodePoolDialog
          pools={pools}
          pool={dialog.pool}
          blocked={blocked}
          onClose={close}
          onSubmit={props.onChange}
        />
      )}
      {dialog?.kind === 'remove' && (
        <RemoveNodePoolDialog
          clusterName={props.clusterName}
          pools={pools}
          pool={dialog.pool}
          blocked={blocked}
          onClose={close}
          onSubmit={props.onChange}
        />
      )}
    </>
  );
}
