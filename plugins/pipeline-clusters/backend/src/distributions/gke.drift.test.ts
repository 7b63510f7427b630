import { KubernetesObject } from '@kubernetes/client-node';
import {
  correction,
  describeDrift,
  detectDrift,
} from '@pipeline-portal/backend-kit';
import { distributions } from '.';
import { ctx, sampleSpec } from './__testUtils__/harness';

const spec = sampleSpec('gke');
const rendered = distributions.gke.render(spec, ctx);
const rulesFor = (o: KubernetesObject) =>
  distributions.gke.driftRules!(spec, o);
const pool = (name: string) =>
  rendered.find(
    o => o.kind === 'MachinePool' && o.metadata?.name === `orders-${name}`,
  ) as any;

/** The object as a server returns it: what was applied plus its own fields. */
function served(o: KubernetesObject, change: (x: any) => void = () => {}) {
  const out: any = structuredClone(o);
  out.metadata = {
    ...out.metadata,
    uid: 'u-1',
    generation: 2,
    managedFields: [],
    finalizers: ['engine'],
    annotations: { ...out.metadata?.annotations, 'crossplane.io/x': 'y' },
  };
  out.status = { ready: true };
  change(out);
  return out as KubernetesObject;
}

describe('GKE drift rules', () => {
  it('sees no drift in what servers, webhooks and engines add', () => {
    const live = rendered.map(o =>
      served(o, x => {
        // Defaulting adds fields; CAPI's webhook prepends a missing `v`.
        x.spec.defaulted = { a: 1 };
        if (x.kind === 'MachinePool') {
          x.spec.template.spec.version = `v${x.spec.template.spec.version.replace(
            /^v/,
            '',
          )}`;
          x.spec.template.spec.taints = [
            ...(x.spec.template.spec.taints ?? []),
            { key: 'added-by', effect: 'NoSchedule', propagation: 'Always' },
          ];
        }
      }),
    );
    expect(detectDrift(rendered, live, rulesFor)).toEqual([]);
  });

  it('leaves an autoscaled pool’s replicas to the autoscaler, not a fixed pool’s', () => {
    const general = pool('general');
    const gpu = pool('gpu');
    const scaled = served(general, x => {
      x.spec.replicas = 5;
      x.metadata.labels['pipeline-portal.io/owner'] = 'someone';
    });
    const [drift] = detectDrift([general], [scaled], rulesFor);
    expect(drift).toMatchObject({ kind: 'changed' });
    expect(describeDrift([drift])).toBe(
      'drift corrected: MachinePool orders-general metadata.labels["pipeline-portal.io/owner"] someone -> group.default.payments',
    );
    // Put back, keeping the autoscaler's replicas.
    const fix = correction(drift, scaled, rulesFor(general)) as any;
    expect(fix.spec.replicas).toBe(5);
    expect(fix.metadata.labels['pipeline-portal.io/owner']).toBe(
      'group.default.payments',
    );
    expect(general.spec.replicas).toBe(3);

    const edited = served(gpu, x => {
      x.spec.replicas = 4;
    });
    expect(describeDrift(detectDrift([gpu], [edited], rulesFor))).toBe(
      'drift corrected: MachinePool orders-gpu spec.replicas 4 -> 1',
    );
  });

  it('says which objects are gone or going', () => {
    const [infra, controlPlane, cluster] = rendered;
    const deleting = served(controlPlane, x => {
      x.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
    });
    const drift = detectDrift(
      [infra, controlPlane, cluster],
      [undefined, deleting, served(cluster)],
      rulesFor,
    );
    expect(drift.map(d => d.kind)).toEqual(['missing', 'deleting']);
    expect(correction(drift[0], undefined, {})).toBe(infra);
    expect(correction(drift[1], deleting, {})).toBeUndefined();
    expect(describeDrift(drift)).toBe(
      'drift corrected: GCPManagedCluster orders recreated; drift: GCPManagedControlPlane orders-control-plane deleted outside the portal; recreated once gone',
    );
  });

  it('keeps messages short', () => {
    const many = served(rendered[1], x => {
      x.spec.project = 'p';
      x.spec.location = 'l';
      x.spec.clusterName = 'c';
      x.spec.version = `1.${'9'.repeat(80)}`;
    });
    const message = describeDrift(detectDrift([rendered[1]], [many], rulesFor));
    expect(message).toMatch(/\(\+1 more\)$/);
    expect(message.length).toBeLessThan(250);
  });
});
