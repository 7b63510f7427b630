import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
} from '@backstage/core-components';
import Tooltip from '@material-ui/core/Tooltip';
import type { ServiceInstanceView } from '@pipeline-portal/plugin-integrated-services-common';

/** An instance's phase as a colored status; the reconciler's message as tooltip. */
export function PhaseStatus(props: {
  status: ServiceInstanceView['status'];
  testId?: string;
}) {
  const { phase } = props.status;
  const message = props.status.lastError?.message ?? props.status.message;
  let icon;
  switch (phase) {
    case 'Ready':
      icon = <StatusOK>{phase}</StatusOK>;
      break;
    case 'Failed':
      icon = <StatusError>{phase}</StatusError>;
      break;
    case 'Disabled':
    case 'Deleting':
      icon = <StatusAborted>{phase}</StatusAborted>;
      break;
    default:
      icon = <StatusPending>{phase}</StatusPending>;
  }
  const content = (
    <span data-testid={props.testId ?? 'instance-phase'} data-phase={phase}>
      {icon}
    </span>
  );
  return message ? <Tooltip title={message}>{content}</Tooltip> : content;
}

/** Drift the reconciler put back, as a count with the objects as tooltip. */
export function DriftStatus(props: {
  drift: ServiceInstanceView['status']['drift'];
  testId?: string;
}) {
  const { drift } = props;
  if (!drift.length) {
    return <span data-testid={props.testId ?? 'instance-drift'}>None</span>;
  }
  const title = drift
    .map(
      d =>
        `${d.object} ${d.kind}${
          d.fields?.length ? `: ${d.fields.join(', ')}` : ''
        }`,
    )
    .join('; ');
  return (
    <Tooltip title={title}>
      <span data-testid={props.testId ?? 'instance-drift'} data-drift="true">
        <StatusWarning>
          {drift.length === 1 ? '1 repaired' : `${drift.length} repaired`}
        </StatusWarning>
      </span>
    </Tooltip>
  );
}
