import { certManager } from './__fixtures__/definition';
import { findVersion, newestVersion, planPath, planTargets } from './planner';

describe('planTargets', () => {
  it('lists every newer version with its shortest path and steps in order', () => {
    const plan = planTargets(certManager(), '0.13.0');
    expect(plan.unreachable).toEqual([]);
    expect(plan.targets.map(t => [t.version, t.direction, t.path])).toEqual([
      ['1.0.0', 'upgrade', ['0.13.0', '0.14.0', '0.15.0', '1.0.0']],
      ['0.15.0', 'upgrade', ['0.13.0', '0.14.0', '0.15.0']],
      ['0.14.0', 'upgrade', ['0.13.0', '0.14.0']],
    ]);
    const toFifteen = plan.targets.find(t => t.version === '0.15.0')!;
    expect(toFifteen.steps.map(s => [s.type, s.from, s.to])).toEqual([
      ['deleteResources', '0.13.0', '0.14.0'],
      ['chartUpgrade', '0.13.0', '0.14.0'],
      ['chartUpgrade', '0.14.0', '0.15.0'],
    ]);
  });

  it('downgrades through downgraders and explains an older version no downgrader reaches', () => {
    const plan = planTargets(certManager(), '1.0.0');
    expect(plan.targets.map(t => [t.version, t.direction, t.path])).toEqual([
      ['0.15.0', 'downgrade', ['1.0.0', '0.15.0']],
      ['0.14.0', 'downgrade', ['1.0.0', '0.15.0', '0.14.0']],
    ]);
    expect(plan.unreachable).toEqual([
      {
        version: '0.13.0',
        reason:
          'no chain of downgraders leads from 1.0.0 to 0.13.0: downgraders from 1.0.0 reach only 0.15.0, 0.14.0; no downgrader leads to 0.13.0',
      },
    ]);
  });

  it('prefers the path with fewer edges, and breaks ties the same way whatever the order of edges', () => {
    const definition = certManager();
    definition.spec.upgraders.push(
      { from: '0.14.0', to: '1.0.0', steps: [{ type: 'chartUpgrade' }] },
      { from: '0.13.0', to: '0.15.0', steps: [{ type: 'chartUpgrade' }] },
    );
    const paths = () =>
      planTargets(definition, '0.13.0').targets.find(
        t => t.version === '1.0.0',
      )!.path;
    const first = paths();
    expect(first).toHaveLength(3);
    expect(first).toEqual(['0.13.0', '0.14.0', '1.0.0']);
    definition.spec.upgraders.reverse();
    expect(paths()).toEqual(first);
  });

  it('explains every target when the installed version is not offered', () => {
    const plan = planTargets(certManager(), '0.12.0');
    expect(plan.targets).toEqual([]);
    expect(plan.unreachable).toHaveLength(4);
    expect(plan.unreachable[0].reason).toBe(
      'the installed version 0.12.0 is not a version of cert-manager, so no path starts from it',
    );
  });
});

describe('planPath', () => {
  it('gives the two-step path with the deletion before the first chart upgrade', () => {
    const result = planPath(certManager(), '0.13.0', '0.15.0');
    expect(result.reachable && result.target.path).toEqual([
      '0.13.0',
      '0.14.0',
      '0.15.0',
    ]);
  });

  it('says why a target cannot be reached and what does not exist', () => {
    expect(planPath(certManager(), '0.14.0', '0.13.0')).toEqual({
      reachable: false,
      unreachable: {
        version: '0.13.0',
        reason:
          'no chain of downgraders leads from 0.14.0 to 0.13.0: no downgrader starts at 0.14.0; no downgrader leads to 0.13.0',
      },
    });
    expect(planPath(certManager(), '0.14.0', '9.0.0')).toEqual({
      reachable: false,
      unreachable: {
        version: '9.0.0',
        reason: '9.0.0 is not a version of cert-manager',
      },
    });
  });

  it('has nothing to do from a version to itself', () => {
    expect(planPath(certManager(), '0.14.0', '0.14.0')).toEqual({
      reachable: true,
      target: {
        version: '0.14.0',
        direction: 'none',
        path: ['0.14.0'],
        steps: [],
      },
    });
  });
});

describe('findVersion', () => {
  it('takes an empty version as the newest one not deprecated', () => {
    const definition = certManager();
    expect(findVersion(definition, '')?.version).toBe('1.0.0');
    definition.spec.versions[3].deprecated = true;
    expect(newestVersion(definition).version).toBe('0.15.0');
    expect(findVersion(definition, '0.14.0')?.chart.version).toBe('v0.14.3');
    expect(findVersion(definition, '3.0.0')).toBeUndefined();
  });
});
