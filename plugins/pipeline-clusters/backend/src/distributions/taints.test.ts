import {
  ClusterSpec,
  clusterSpecSchema,
  PROVISIONED_DISTRIBUTIONS,
  Taint,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { distributions } from './index';
import {
  applyAll,
  ctx,
  CREDENTIALS,
  Double,
  sampleSpec,
  startDouble,
} from './__testUtils__/harness';

/** Taint lists the CRDs and the portal's rules may disagree about. */
const VARIANTS: Array<[string, Taint[]]> = [
  ['a taint without a value', [{ key: 'dedicated', effect: 'NoSchedule' }]],
  ['an empty value', [{ key: 'dedicated', value: '', effect: 'NoSchedule' }]],
  [
    'a 63 character value',
    [{ key: 'dedicated', value: 'v'.repeat(63), effect: 'NoSchedule' }],
  ],
  [
    'every effect',
    [
      { key: 'a', value: 'x', effect: 'NoSchedule' },
      { key: 'b', value: 'y', effect: 'PreferNoSchedule' },
      { key: 'c', value: 'z', effect: 'NoExecute' },
    ],
  ],
  [
    'a 317 character key',
    [
      {
        key: `${'p.'.repeat(126)}p/${'n'.repeat(63)}`,
        value: 'x',
        effect: 'NoSchedule',
      },
    ],
  ],
];

/** The sample spec with the GPU pool's taints replaced, under a fresh name. */
const withTaints = (
  d: (typeof PROVISIONED_DISTRIBUTIONS)[number],
  name: string,
  taints: Taint[],
): ClusterSpec => {
  const spec = sampleSpec(d);
  return {
    ...spec,
    name,
    nodePools: spec.nodePools.map(pool =>
      pool.name === 'gpu' ? { ...pool, taints } : pool,
    ),
  };
};

describe.each(PROVISIONED_DISTRIBUTIONS)(
  '%s: the API accepts a taint exactly when the engine CRD does',
  d => {
    let double: Double;
    beforeAll(async () => {
      double = await startDouble(d);
      await applyAll(
        double.objects,
        distributions[d].credentialObjects(sampleSpec(d), ctx, CREDENTIALS[d]),
      );
    });
    afterAll(() => double.close());

    it.each(VARIANTS.map(([label, taints], i) => [label, taints, i] as const))(
      'with %s',
      async (_label, taints, i) => {
        const spec = withTaints(d, `taints-${i}`, taints);
        const portal = clusterSpecSchema.safeParse(spec);
        let engine = 'accepted';
        try {
          await applyAll(double.objects, distributions[d].render(spec, ctx));
        } catch (error) {
          const { body } = error as { body?: string };
          engine = `refused (${body ?? error})`;
        }
        // What the engine refuses the portal refuses first (no cluster in
        // Error); what the engine accepts the portal does not refuse.
        expect(
          `portal ${portal.success ? 'accepted' : 'refused'}, engine ${engine}`,
        ).toMatch(
          /^portal (accepted, engine accepted|refused, engine refused)/,
        );
      },
    );
  },
);
