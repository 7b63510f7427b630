import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
} from '@backstage/core-components';
import Tooltip from '@material-ui/core/Tooltip';
import {
  CLUSTER_PHASES,
  ClusterPhase,
  ClusterStatus,
} from '@pipeline-portal/plugin-pipeline-clusters-common';

/** Phases an operation is still running in: the UI polls while one shows. */
export const TRANSITIONAL_PHASES: readonly ClusterPhase[] = [
  'Pending',
  'Provisioning',
  'Updating',
  'Deleting',
];

export const ALL_PHASES: readonly ClusterPhase[] = CLUSTER_PHASES;

export function isTransitional(phase: ClusterPhase | undefined): boolean {
  return !!phase && TRANSITIONAL_PHASES.includes(phase);
}

function PhaseIcon(props: { phase: ClusterPhase; children: string }) {
  switch (props.phase) {
    case 'Running':
      return <StatusOK>{props.children}</StatusOK>;
    case 'Pending':
    case 'Provisioning':
    case 'Updating':
      return <StatusPending>{props.children}</StatusPending>;
    case 'Error':
      return <StatusError>{props.children}</StatusError>;
    default:
      // Deleting and Deleted: the cluster is on its way out.
      return <StatusAborted>{props.children}</StatusAborted>;
  }
}

/** A cluster's phase as a colored status; in Error, the message as tooltip. */
export function ClusterPhaseStatus(props: {
  status: ClusterStatus;
  testId?: string;
}) {
  const { phase, message } = props.status;
  const content = (
    <span data-testid={props.testId ?? 'cluster-status'} data-phase={phase}>
      <PhaseIcon phase={phase}>{phase}</PhaseIcon>
    </span>
  );
  if (phase === 'Error' && message) {
    return <Tooltip title={message}>{content}</Tooltip>;
  }
  return content;
}
