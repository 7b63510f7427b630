import Typography from '@material-ui/core/Typography';
import Timeline from '@material-ui/lab/Timeline';
import TimelineConnector from '@material-ui/lab/TimelineConnector';
import TimelineContent from '@material-ui/lab/TimelineContent';
import TimelineDot from '@material-ui/lab/TimelineDot';
import TimelineItem from '@material-ui/lab/TimelineItem';
import TimelineOppositeContent from '@material-ui/lab/TimelineOppositeContent';
import TimelineSeparator from '@material-ui/lab/TimelineSeparator';
import {
  ClusterHistoryEntry,
  ClusterPhase,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { formatTime } from '../util';

const DOT_COLOR: Partial<
  Record<ClusterPhase, 'primary' | 'secondary' | 'grey'>
> = {
  Running: 'primary',
  Error: 'secondary',
};

/** The cluster's phases, newest first. */
export function HistoryTimeline(props: { entries: ClusterHistoryEntry[] }) {
  const entries = [...props.entries].sort(
    (a, b) => new Date(b.at).getTime() - new Date(a.at).getTime(),
  );
  if (!entries.length) {
    return <Typography variant="body2">No history yet.</Typography>;
  }
  return (
    <Timeline align="left" data-testid="history">
      {entries.map((entry, index) => (
        <TimelineItem
          key={`${entry.at}-${index}`}
          data-testid="history-entry"
          data-phase={entry.phase}
        >
          <TimelineOppositeContent style={{ flex: 0.3 }}>
            <Typography variant="body2" color="textSecondary">
              {formatTime(entry.at)}
            </Typography>
          </TimelineOppositeContent>
          <TimelineSeparator>
            <TimelineDot color={DOT_COLOR[entry.phase] ?? 'grey'} />
            {index < entries.length - 1 && <TimelineConnector />}
          </TimelineSeparator>
          <TimelineContent>
            <Typography variant="subtitle2">{entry.phase}</Typography>
            {entry.message && (
              <Typography variant="body2">{entry.message}</Typography>
            )}
          </TimelineContent>
        </TimelineItem>
      ))}
    </Timeline>
  );
}
