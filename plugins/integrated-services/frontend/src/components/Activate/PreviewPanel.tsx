import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import type { PreviewResult } from '@pipeline-portal/plugin-integrated-services-common';
import { PathText, PlanSteps } from '../plan/PlanSteps';
import { ValuesDiff } from '../plan/ValuesDiff';

const DIRECTION: Record<PreviewResult['plan']['direction'], string> = {
  install: 'Install',
  upgrade: 'Upgrade',
  downgrade: 'Downgrade',
  none: 'Stay on',
};

/** What activating or updating would do: the plan and the values diff. */
export function PreviewPanel(props: { preview: PreviewResult }) {
  const { plan, valuesDiff, objects } = props.preview;
  return (
    <div data-testid="preview">
      <Typography variant="h6">Plan</Typography>
      <Typography variant="body2" data-testid="preview-direction">
        {DIRECTION[plan.direction]} {plan.to}
        {plan.from && plan.from !== plan.to ? ` from ${plan.from}` : ''}:{' '}
        <PathText path={plan.path} testId="preview-path" />
      </Typography>
      <PlanSteps steps={plan.steps} testId="preview-steps" />
      <Box mt={2}>
        <Typography variant="h6">Values</Typography>
        <ValuesDiff changes={valuesDiff} />
      </Box>
      {objects.length > 0 && (
        <Box mt={2}>
          <Typography variant="body2" data-testid="preview-objects">
            Objects written:{' '}
            {objects
              .map(o => {
                const meta = (o.metadata ?? {}) as { name?: string };
                return `${String(o.kind)} ${meta.name ?? ''}`.trim();
              })
              .join(', ')}
          </Typography>
        </Box>
      )}
    </div>
  );
}
