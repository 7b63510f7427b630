import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableRow from '@material-ui/core/TableRow';
import { ReactNode } from 'react';

/** Label and value rows; a missing value shows as a dash. */
export function Facts(props: { rows: Array<[string, ReactNode]> }) {
  return (
    <Table size="small">
      <TableBody>
        {props.rows.map(([label, value]) => (
          <TableRow key={label}>
            <TableCell component="th" scope="row" style={{ width: '35%' }}>
              {label}
            </TableCell>
            <TableCell>{value ?? '—'}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
