import Button from '@material-ui/core/Button';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import {
  NodePool,
  nodePoolSchema,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { useState } from 'react';
import { toNumber } from '../util';

type Size = 'minSize' | 'desiredSize' | 'maxSize';
const SIZES: Array<[Size, string]> = [
  ['minSize', 'min'],
  ['desiredSize', 'desired'],
  ['maxSize', 'max'],
];

function NodePoolRow(props: {
  pool: NodePool;
  disabled: boolean;
  onSave: (pool: NodePool) => Promise<void>;
}) {
  const { pool } = props;
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
      await props.onSave(parsed.data);
    } finally {
      setSaving(false);
    }
  };

  return (
    <TableRow data-testid={`node-pool-row-${pool.name}`}>
      <TableCell>{pool.name}</TableCell>
      <TableCell>{pool.machineType}</TableCell>
      {SIZES.map(([key, label]) => (
        <TableCell key={key}>
          <TextField
            type="number"
            value={sizes[key]}
            disabled={props.disabled}
            onChange={e => setSizes({ ...sizes, [key]: e.target.value })}
            inputProps={{
              'data-testid': `scale-${pool.name}-${label}`,
              'aria-label': `${pool.name} ${label} size`,
              min: 0,
              style: { width: 64 },
            }}
          />
        </TableCell>
      ))}
      <TableCell>
        <Button
          size="small"
          variant="outlined"
          color="primary"
          disabled={props.disabled || saving || !dirty}
          onClick={save}
          data-testid={`scale-${pool.name}-save`}
        >
          Save
        </Button>
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
    </TableRow>
  );
}

/** The cluster's node pools, each with its own scale control. */
export function NodePools(props: {
  pools: NodePool[];
  revision: number;
  disabled: boolean;
  onScale: (pools: NodePool[]) => Promise<void>;
}) {
  return (
    <Table size="small" data-testid="node-pools">
      <TableHead>
        <TableRow>
          <TableCell>Pool</TableCell>
          <TableCell>Machine type</TableCell>
          <TableCell>Min</TableCell>
          <TableCell>Desired</TableCell>
          <TableCell>Max</TableCell>
          <TableCell />
        </TableRow>
      </TableHead>
      <TableBody>
        {props.pools.map(pool => (
          <NodePoolRow
            // A new revision resets the inputs to what the cluster now has.
            key={`${pool.name}@${props.revision}`}
            pool={pool}
            disabled={props.disabled}
            onSave={saved =>
              props.onScale(
                props.pools.map(p => (p.name === saved.name ? saved : p)),
              )
            }
          />
        ))}
      </TableBody>
    </Table>
  );
}
