import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import type {
  PlannedStep,
  ResourceSelector,
} from '@pipeline-portal/plugin-integrated-services-common';

const selector = (r: ResourceSelector) =>
  `${r.kind} ${r.name ?? r.labelSelector ?? ''}`.trim();

/** What a step does, in a line. */
export function describeStep(step: PlannedStep): string {
  switch (step.type) {
    case 'chartUpgrade':
      return `Upgrade the chart to ${step.to}`;
    case 'deleteResources':
      return `Delete ${step.resources.map(selector).join(', ')}`;
    case 'patchResource':
      return `Patch ${selector(step.resource)} (${step.patchType})`;
    case 'runJob':
      return `Run Job ${step.job.name} (${step.job.image}) and wait up to ${step.timeoutSeconds} s`;
    default:
      return (step as { type: string }).type;
  }
}

/** The steps of a plan in order, each with the edge it belongs to. */
export function PlanSteps(props: {
  steps: PlannedStep[];
  /** The step under way, highlighted. */
  current?: number;
  testId?: string;
}) {
  const testId = props.testId ?? 'plan-steps';
  if (!props.steps.length) {
    return (
      <Typography variant="body2" data-testid={`${testId}-none`}>
        Nothing to do.
      </Typography>
    );
  }
  return (
    <List dense data-testid={testId}>
      {props.steps.map((step, i) => (
        <ListItem
          key={i}
          selected={props.current === i}
          data-testid={`${testId}-item`}
          data-type={step.type}
        >
          <ListItemText
            primary={`${i + 1}. ${step.description ?? describeStep(step)}`}
            secondary={`${step.from} → ${step.to} · ${step.type}`}
          />
        </ListItem>
      ))}
    </List>
  );
}

/** A version path as `a → b → c`. */
export function PathText(props: { path: string[]; testId?: string }) {
  return (
    <span data-testid={props.testId ?? 'plan-path'}>
      {props.path.join(' → ')}
    </span>
  );
}
