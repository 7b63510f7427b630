import { usePermission } from '@backstage/plugin-permission-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import TableCell from '@material-ui/core/TableCell';
import TableRow from '@material-ui/core/TableRow';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import {
  integratedServiceActivatePermission,
  integratedServiceDeactivatePermission,
  integratedServiceUpdatePermission,
  ServiceInstanceView,
  ServiceSummary,
} from '@pipeline-portal/plugin-integrated-services-common';
import { DriftStatus, PhaseStatus } from '../PhaseStatus';

/** Short columns stay on one line; the description column wraps. */
const NOWRAP = { whiteSpace: 'nowrap' } as const;

export type RowAction =
  | 'activate'
  | 'update'
  | 'adopt'
  | 'upgrade'
  | 'deactivate';

/** The version line: installed, and where it is headed if elsewhere. */
export function VersionText(props: { instance: ServiceInstanceView }) {
  const { desired, status } = props.instance;
  const installed = status.installedVersion;
  const wanted = desired.version || 'newest';
  return (
    <span data-testid="instance-version">
      {installed ?? '—'}
      {desired.version !== (installed ?? '') && desired.version
        ? ` → ${desired.version}`
        : ''}
      {!installed && !desired.version ? ` → ${wanted}` : ''}
    </span>
  );
}

/** One service offered on the cluster, active or not, with what may be done to it. */
export function ServiceRow(props: {
  cluster: string;
  service: ServiceSummary;
  instance?: ServiceInstanceView;
  onAction: (action: RowAction) => void;
}) {
  const { service, instance } = props;
  const resourceRef = `${props.cluster}/${service.name}`;
  const activate = usePermission({
    permission: integratedServiceActivatePermission,
    resourceRef,
  });
  const update = usePermission({
    permission: integratedServiceUpdatePermission,
    resourceRef,
  });
  const deactivate = usePermission({
    permission: integratedServiceDeactivatePermission,
    resourceRef,
  });
  const external = instance?.managedBy === 'external';
  const leaving = instance?.status.phase === 'Deleting';
  const button = (action: RowAction, label: string, disabled = false) => (
    <Button
      size="small"
      variant="outlined"
      color={action === 'deactivate' ? 'secondary' : 'primary'}
      disabled={disabled}
      onClick={() => props.onAction(action)}
      data-testid={`${action}-${service.name}`}
    >
      {label}
    </Button>
  );

  return (
    <TableRow data-testid={`service-row-${service.name}`}>
      <TableCell style={{ width: '40%' }}>
        <Typography variant="body2">
          <strong>{service.title ?? service.name}</strong>
        </Typography>
        {service.description && (
          <Typography variant="caption" color="textSecondary">
            {service.description}
          </Typography>
        )}
      </TableCell>
      <TableCell style={NOWRAP}>{service.category}</TableCell>
      <TableCell style={NOWRAP}>
        {instance ? (
          <PhaseStatus status={instance.status} />
        ) : (
          <span data-testid="instance-phase" data-phase="none">
            Not active
          </span>
        )}
        {instance && !instance.status.upToDate && (
          <Typography variant="caption" display="block">
            Waiting for the reconciler
          </Typography>
        )}
        {instance?.status.lastError && (
          <Typography
            variant="caption"
            color="error"
            display="block"
            data-testid="instance-error"
          >
            {instance.status.lastError.message}
          </Typography>
        )}
      </TableCell>
      <TableCell style={NOWRAP}>
        {instance ? <VersionText instance={instance} /> : service.newestVersion}
      </TableCell>
      <TableCell style={NOWRAP}>
        {instance ? <DriftStatus drift={instance.status.drift} /> : '—'}
      </TableCell>
      <TableCell style={NOWRAP}>
        {external && (
          <Tooltip title="Created outside the portal (kubectl, GitOps): shown, left alone unless adopted.">
            <Chip
              size="small"
              label="Managed externally"
              data-testid="managed-externally"
            />
          </Tooltip>
        )}
        {instance && !external && 'Portal'}
      </TableCell>
      <TableCell style={NOWRAP}>
        <Box display="flex" style={{ gap: 8 }}>
          {!instance && activate.allowed && button('activate', 'Activate')}
          {external && update.allowed && button('adopt', 'Adopt')}
          {instance && !external && update.allowed && (
            <>
              {button('update', 'Edit', leaving)}
              {button(
                'upgrade',
                'Change version',
                leaving || !instance.status.installedVersion,
              )}
            </>
          )}
          {instance &&
            !external &&
            deactivate.allowed &&
            button('deactivate', 'Deactivate', leaving)}
        </Box>
      </TableCell>
    </TableRow>
  );
}
