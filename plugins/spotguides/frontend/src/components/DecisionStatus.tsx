import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
  StatusWarning,
} from '@backstage/core-components';
import type { ReactNode } from 'react';

/** How each decision on a delivery reads, and the status light it gets. */
const DECISIONS: Record<
  string,
  { label: string; Light: (props: { children?: ReactNode }) => JSX.Element }
> = {
  ran: { label: 'ran', Light: StatusOK },
  duplicate: { label: 'duplicate', Light: StatusAborted },
  refused: { label: 'refused', Light: StatusError },
  'no-match': { label: 'no match', Light: StatusAborted },
  'needs-approval': { label: 'needs approval', Light: StatusWarning },
  failed: { label: 'failed', Light: StatusError },
  queued: { label: 'queued', Light: StatusPending },
};

export function DecisionStatus(props: { decision: string }) {
  const known = DECISIONS[props.decision];
  if (!known) return <StatusPending>{props.decision}</StatusPending>;
  const { Light, label } = known;
  return <Light>{label}</Light>;
}

/** A PipelineRun's state, from its Succeeded condition or phase. */
export function RunStatus(props: { status: string }) {
  const status = props.status.toLowerCase();
  if (['succeeded', 'success', 'completed'].includes(status)) {
    return <StatusOK>{props.status}</StatusOK>;
  }
  if (['failed', 'failure', 'error', 'timeout'].includes(status)) {
    return <StatusError>{props.status}</StatusError>;
  }
  if (['running', 'started'].includes(status)) {
    return <StatusRunning>{props.status}</StatusRunning>;
  }
  if (['cancelled', 'canceled'].includes(status)) {
    return <StatusAborted>{props.status}</StatusAborted>;
  }
  return <StatusPending>{props.status}</StatusPending>;
}

/** The first 7 characters of a commit, as GitHub shows it. */
export const shortSha = (sha?: string | null) => (sha ? sha.slice(0, 7) : '');

export function formatTime(iso?: string | null) {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}
