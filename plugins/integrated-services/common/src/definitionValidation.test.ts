import { certManager } from './__fixtures__/definition';
import { validateIntegratedService } from './definitionValidation';

describe('validateIntegratedService', () => {
  it('accepts a well-formed definition', () => {
    expect(validateIntegratedService(certManager())).toEqual({
      valid: true,
      issues: [],
    });
  });

  it('names the JSON pointer of a missing chart name', () => {
    const entity = certManager() as any;
    delete entity.spec.versions[1].chart.name;
    const result = validateIntegratedService(entity);
    expect(result.valid).toBe(false);
    expect(result.issues).toContainEqual({
      pointer: '/spec/versions/1/chart/name',
      message: 'is required',
    });
  });

  it('names an unknown step type and a field not allowed on a step', () => {
    const entity = certManager() as any;
    entity.spec.upgraders[1].steps = [{ type: 'helmUpgrade' }];
    entity.spec.upgraders[2].steps = [{ type: 'chartUpgrade', resources: [] }];
    const { issues } = validateIntegratedService(entity);
    expect(issues).toContainEqual({
      pointer: '/spec/upgraders/1/steps/0/type',
      message:
        'must be one of "chartUpgrade", "deleteResources", "patchResource", "runJob"',
    });
    expect(issues).toContainEqual({
      pointer: '/spec/upgraders/2/steps/0/resources',
      message: 'is not allowed here',
    });
  });

  it('asks a resource to delete for a name or a label selector', () => {
    const entity = certManager() as any;
    entity.spec.upgraders[0].steps[0].resources = [
      { apiVersion: 'apps/v1', kind: 'Deployment' },
    ];
    expect(validateIntegratedService(entity).issues).toEqual([
      {
        pointer: '/spec/upgraders/0/steps/0/resources/0',
        message: 'must have one of: name, labelSelector',
      },
    ]);
  });

  it('refuses a version that is not semantic and a wrong kind', () => {
    const entity = certManager() as any;
    entity.kind = 'Component';
    entity.spec.versions[0].version = 'v0.13';
    const { issues } = validateIntegratedService(entity);
    expect(issues.map(i => i.pointer)).toEqual(
      expect.arrayContaining(['/kind', '/spec/versions/0/version']),
    );
  });

  it('finds edges to unknown versions, going the wrong way, repeated, or without one chart upgrade', () => {
    const entity = certManager() as any;
    entity.spec.upgraders.push({
      from: '0.15.0',
      to: '2.0.0',
      steps: [{ type: 'chartUpgrade' }],
    });
    entity.spec.upgraders.push({
      from: '1.0.0',
      to: '0.13.0',
      steps: [{ type: 'chartUpgrade' }],
    });
    entity.spec.upgraders.push({
      from: '0.14.0',
      to: '0.15.0',
      steps: [{ type: 'chartUpgrade' }],
    });
    entity.spec.downgraders[0].steps = [
      {
        type: 'deleteResources',
        resources: [{ apiVersion: 'v1', kind: 'Service', name: 'x' }],
      },
    ];
    const { issues } = validateIntegratedService(entity);
    expect(issues).toEqual([
      {
        pointer: '/spec/upgraders/3/to',
        message: 'names version 2.0.0, which is not among spec.versions',
      },
      {
        pointer: '/spec/upgraders/4/to',
        message: 'an upgrader must go to a newer version than 1.0.0',
      },
      {
        pointer: '/spec/upgraders/5',
        message: 'repeats 0.14.0->0.15.0, already at /spec/upgraders/1',
      },
      {
        pointer: '/spec/downgraders/0/steps',
        message: 'must have exactly one chartUpgrade step (has 0)',
      },
    ]);
  });

  it('reports a duplicate version and a spec schema ajv cannot compile', () => {
    const entity = certManager() as any;
    entity.spec.versions[2].version = '0.14.0';
    entity.spec.versions[3].specSchema = {
      type: 'object',
      properties: { a: { type: 'no-such-type' } },
    };
    const { issues } = validateIntegratedService(entity);
    expect(issues).toContainEqual({
      pointer: '/spec/versions/2/version',
      message: 'repeats 0.14.0, already at /spec/versions/1',
    });
    expect(
      issues.find(i => i.pointer === '/spec/versions/3/specSchema')?.message,
    ).toMatch(/^is not a usable JSON Schema: /);
  });
});
