import type {
  PlannedStep,
  PlannedTarget,
} from '@pipeline-portal/plugin-integrated-services-common';
import { InstancePlan } from './instance';

/** A first install: the chart of the version, nothing else. */
export function installPlan(version: string, now: Date): InstancePlan {
  const at = now.toISOString();
  return {
    from: '',
    to: version,
    path: [version],
    steps: [{ type: 'chartUpgrade', from: '', to: version }],
    currentStep: 0,
    startedAt: at,
    stepStartedAt: at,
  };
}

/**
 * The plan of a planned path. An edge whose steps do not upgrade the chart
 * gets a chart upgrade at its end: reaching a version means running its chart.
 */
export function buildPlan(target: PlannedTarget, now: Date): InstancePlan {
  const at = now.toISOString();
  const steps: PlannedStep[] = [];
  for (let i = 1; i < target.path.length; i++) {
    const from = target.path[i - 1];
    const to = target.path[i];
    const edge = target.steps.filter(s => s.from === from && s.to === to);
    steps.push(...edge);
    if (!edge.some(s => s.type === 'chartUpgrade')) {
      steps.push({ type: 'chartUpgrade', from, to });
    }
  }
  return {
    from: target.path[0],
    to: target.version,
    path: target.path,
    steps,
    currentStep: 0,
    startedAt: at,
    stepStartedAt: at,
  };
}
