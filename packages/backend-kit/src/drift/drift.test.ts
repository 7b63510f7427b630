import type { KubernetesObject } from '@kubernetes/client-node';
import { DriftRules } from './compare';
import {
  correction,
  describeDrift,
  detectDrift,
  engineMustCatchUp,
} from './drift';

const deployment = (name: string, replicas: number): KubernetesObject =>
  ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name } },
    spec: { replicas, template: { spec: { image: 'web:1' } } },
  } as KubernetesObject);

const rules: DriftRules = { engineOwned: [['spec', 'replicas']] };

describe('detectDrift', () => {
  it('asks the rules function about each rendered object', () => {
    const rendered = [deployment('a', 1), deployment('b', 1)];
    const live = rendered.map(o => {
      const out: any = structuredClone(o);
      out.spec.replicas = 4;
      return out;
    });
    const asked: string[] = [];
    const drift = detectDrift(rendered, live, o => {
      asked.push(o.metadata!.name!);
      return o.metadata?.name === 'a' ? rules : {};
    });
    expect(asked).toEqual(['a', 'b']);
    expect(drift).toEqual([
      {
        kind: 'changed',
        object: rendered[1],
        fields: [{ path: ['spec', 'replicas'], live: 4, desired: 1 }],
      },
    ]);
  });

  it('tells missing, deleting and changed objects apart', () => {
    const rendered = [
      deployment('a', 1),
      deployment('b', 1),
      deployment('c', 1),
    ];
    const deleting: any = structuredClone(rendered[1]);
    deleting.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
    const changed: any = structuredClone(rendered[2]);
    changed.spec.template.spec.image = 'web:2';
    const drift = detectDrift(
      rendered,
      [undefined, deleting, changed],
      () => ({}),
    );
    expect(drift.map(d => d.kind)).toEqual(['missing', 'deleting', 'changed']);
    expect(engineMustCatchUp(drift)).toBe(true);
    expect(describeDrift(drift)).toBe(
      'drift corrected: Deployment a recreated; Deployment c spec.template.spec.image web:2 -> web:1; drift: Deployment b deleted outside the portal; recreated once gone',
    );
  });
});

describe('correction', () => {
  it('puts the rendered object back, keeping the live engine-owned fields', () => {
    const rendered = deployment('a', 1);
    const live: any = structuredClone(rendered);
    live.spec.replicas = 7;
    live.metadata.labels.app = 'edited';
    const [drift] = detectDrift([rendered], [live], () => rules);
    const fix = correction(drift, live, rules) as any;
    expect(fix.spec.replicas).toBe(7);
    expect(fix.metadata.labels.app).toBe('a');
    expect((rendered as any).spec.replicas).toBe(1);
    expect(engineMustCatchUp([drift])).toBe(false);
  });

  it('recreates a missing object as rendered and waits for a deleting one', () => {
    const rendered = deployment('a', 1);
    const [missing] = detectDrift([rendered], [undefined], () => ({}));
    expect(correction(missing, undefined, {})).toBe(rendered);
    const deleting: any = structuredClone(rendered);
    deleting.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
    const [going] = detectDrift([rendered], [deleting], () => ({}));
    expect(correction(going, deleting, {})).toBeUndefined();
  });
});

describe('describeDrift', () => {
  it('is empty without drift and lists at most three fields an object', () => {
    expect(describeDrift([])).toBe('');
    const rendered: any = deployment('a', 1);
    rendered.spec.w = 1;
    rendered.spec.x = 1;
    rendered.spec.y = 1;
    const live: any = structuredClone(rendered);
    Object.assign(live.spec, { replicas: 2, w: 2, x: 2, y: 2 });
    expect(describeDrift(detectDrift([rendered], [live], () => ({})))).toBe(
      'drift corrected: Deployment a spec.replicas 2 -> 1, spec.w 2 -> 1, spec.x 2 -> 1 (+1 more)',
    );
  });
});
