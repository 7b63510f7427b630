import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import type { ValuesChange } from '@pipeline-portal/plugin-integrated-services-common';

const LABELS: Record<ValuesChange['op'], string> = {
  add: 'added',
  replace: 'changed',
  remove: 'removed',
};

const COLORS: Record<ValuesChange['op'], string> = {
  add: '#2e7d32',
  replace: '#ed6c02',
  remove: '#c62828',
};

function show(value: unknown): string {
  if (value === undefined) return '';
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** Chart values against what is installed: added, changed and removed paths. */
export function ValuesDiff(props: { changes: ValuesChange[] }) {
  if (!props.changes.length) {
    return (
      <Typography variant="body2" data-testid="values-diff-none">
        The chart values stay as they are.
      </Typography>
    );
  }
  const count = (op: ValuesChange['op']) =>
    props.changes.filter(c => c.op === op).length;
  return (
    <>
      <Typography variant="body2" data-testid="values-diff-summary">
        {count('add')} added, {count('replace')} changed, {count('remove')}{' '}
        removed
      </Typography>
      <Table size="small" data-testid="values-diff">
        <TableHead>
          <TableRow>
            <TableCell>Value</TableCell>
            <TableCell>Change</TableCell>
            <TableCell>Before</TableCell>
            <TableCell>After</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {props.changes.map(change => (
            <TableRow
              key={`${change.op}${change.path}`}
              data-testid="values-diff-row"
              data-op={change.op}
              data-path={change.path}
            >
              <TableCell>
                <code>{change.path}</code>
              </TableCell>
              <TableCell style={{ color: COLORS[change.op] }}>
                {LABELS[change.op]}
              </TableCell>
              <TableCell>
                <code>{show(change.from)}</code>
              </TableCell>
              <TableCell>
                <code>{show(change.to)}</code>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </>
  );
}
