import {
  PROVISIONED_DISTRIBUTIONS,
  ProvisionedDistribution,
  TAINT_RULES,
} from './distributions';
import {
  clusterSpecSchema,
  describeIssues,
  labelValueProblem,
  nodePoolIssuesFor,
  nodePoolSchema,
  qualifiedNameProblem,
} from './schema';

const pool = (patch: Record<string, unknown> = {}) => ({
  name: 'general',
  machineType: 'm5.large',
  minSize: 1,
  maxSize: 3,
  ...patch,
});

const spec = (
  distribution: ProvisionedDistribution,
  poolPatch: Record<string, unknown>,
) => ({
  name: 'orders',
  owner: 'payments',
  distribution,
  region: 'eu-west-1',
  kubernetesVersion: '1.32',
  credential: 'main',
  nodePools: [pool(), pool({ name: 'gpu', ...poolPatch })],
});

const message = (result: { success: boolean; error?: any }) =>
  result.success ? 'accepted' : describeIssues(result.error);

describe('qualifiedNameProblem (label and taint keys)', () => {
  it.each([
    ['a word', 'tier'],
    ['one character', 'a'],
    ['letters, digits, _, . and -', 'A_b.c-D9'],
    ['a prefix', 'example.com/tier'],
    ['a prefix of several parts', 'node.kubernetes.io/instance-type'],
    ['runs of - in the prefix', 'a--b.c/d'],
    ['a 63 character name', 'n'.repeat(63)],
    ['a 253 character prefix', `${'p'.repeat(253)}/n`],
    ['317 characters', `${'p.'.repeat(126)}p/${'n'.repeat(63)}`],
  ])('accepts %s', (_label, key) => {
    expect(qualifiedNameProblem(key)).toBeUndefined();
  });

  it.each([
    ['', 'must not be empty'],
    ['-tier', 'name must be 1-63 letters'],
    ['tier.', 'name must be 1-63 letters'],
    ['ti er', 'name must be 1-63 letters'],
    ['n'.repeat(64), 'name must be at most 63 characters'],
    ['example.com/', "name (after '/') must not be empty"],
    ['/tier', "must not start with '/'"],
    ['a/b/c', "must contain at most one '/'"],
    ['Example.com/tier', 'prefix'],
    ['example-/tier', 'prefix'],
    ['example..com/tier', 'prefix'],
    ['exa_mple.com/tier', 'prefix'],
    [`${'p'.repeat(254)}/n`, "prefix (before '/') must be at most 253"],
    [`${'p.'.repeat(126)}pq/${'n'.repeat(63)}`, 'at most 317 characters'],
  ])('refuses %#: %s', (key, problem) => {
    expect(qualifiedNameProblem(key)).toContain(problem);
  });

  it('answers at once on hostile input, whatever its length', () => {
    const hostile = [
      'a'.repeat(100_000),
      `${'a-'.repeat(50_000)}!`,
      `${'a.'.repeat(50_000)}a-/x`,
      `${'a'.repeat(300)}/${'-'.repeat(50)}`,
      `${'a-a.'.repeat(60)}a/${'x_'.repeat(31)}!`,
    ];
    const started = performance.now();
    for (let i = 0; i < 100; i++) {
      for (const key of hostile) {
        expect(qualifiedNameProblem(key)).toBeDefined();
        expect(labelValueProblem(key)).toBeDefined();
      }
    }
    // 1000 checks of keys up to 100 000 characters: linear work only.
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe('labelValueProblem', () => {
  it.each(['', 'v', 'a.b_c-D', 'v'.repeat(63)])('accepts value %#', value => {
    expect(labelValueProblem(value)).toBeUndefined();
  });
  it.each([
    ['v'.repeat(64), 'at most 63 characters'],
    ['-v', 'starting and ending'],
    ['v.', 'starting and ending'],
    ['a b', 'must consist of'],
    ['a/b', 'must consist of'],
  ])('refuses value %#: %s', (value, problem) => {
    expect(labelValueProblem(value)).toContain(problem);
  });
});

describe('nodePoolSchema', () => {
  it('names the label key at fault and says what is wrong', () => {
    const result = nodePoolSchema.safeParse(
      pool({ labels: { 'Example.com/tier': 'web', ok: 'fine' } }),
    );
    expect(message(result)).toBe(
      `labels["Example.com/tier"]: key prefix (before '/') must be a DNS subdomain: lower-case RFC 1123 labels (letters, digits and '-', starting and ending with a letter or digit) joined by '.'`,
    );
  });

  it('names the label value and the taint fields at fault', () => {
    const result = nodePoolSchema.safeParse(
      pool({
        labels: { tier: 'v'.repeat(64) },
        taints: [
          { key: 'ok', effect: 'NoSchedule' },
          { key: 'gpu/', value: '-x', effect: 'NoSchedule' },
        ],
      }),
    );
    expect(message(result).split('; ')).toEqual([
      'labels.tier: must be at most 63 characters',
      "taints[1].key: name (after '/') must not be empty",
      "taints[1].value: must consist of letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
    ]);
  });

  it('quotes at most 80 characters of a hostile key in the message', () => {
    const key = `${'K'.repeat(5000)}`;
    const text = message(
      nodePoolSchema.safeParse(pool({ labels: { [key]: 'v' } })),
    );
    expect(text).toContain(`labels["${'K'.repeat(80)}…"]`);
    expect(text.length).toBeLessThan(400);
  });
});

describe('each distribution’s taint rule', () => {
  it('has a rule for every provisioned distribution', () => {
    expect(Object.keys(TAINT_RULES).sort()).toEqual(
      [...PROVISIONED_DISTRIBUTIONS].sort(),
    );
  });

  it.each(PROVISIONED_DISTRIBUTIONS)(
    '%s: an empty taint value is refused exactly where the engine refuses it',
    distribution => {
      const result = clusterSpecSchema.safeParse(
        spec(distribution, {
          taints: [
            { key: 'a', value: 'x', effect: 'NoSchedule' },
            { key: 'b', value: '', effect: 'NoExecute' },
          ],
        }),
      );
      const { nonEmptyValue, field } = TAINT_RULES[distribution];
      expect(message(result)).toBe(
        nonEmptyValue
          ? `nodePools[1].taints[1].value: must not be empty on ${distribution} (${field} refuses an empty value): leave it out for a taint without a value`
          : 'accepted',
      );
    },
  );

  it.each(PROVISIONED_DISTRIBUTIONS)(
    '%s: a taint without a value and every effect are accepted',
    distribution => {
      const result = clusterSpecSchema.safeParse(
        spec(distribution, {
          taints: [
            { key: 'a', effect: 'NoSchedule' },
            { key: 'b', value: 'x', effect: 'PreferNoSchedule' },
            { key: 'example.com/c', value: 'y', effect: 'NoExecute' },
          ],
        }),
      );
      expect(message(result)).toBe('accepted');
    },
  );

  it('only oke refuses an empty value: Cluster API’s MachinePool carries its taints', () => {
    expect(TAINT_RULES.oke.nonEmptyValue).toBe(true);
    expect(
      PROVISIONED_DISTRIBUTIONS.filter(d => TAINT_RULES[d].nonEmptyValue),
    ).toEqual(['oke']);
  });

  it('nodePoolIssuesFor reports paths from nodePools, for a change of pools', () => {
    expect(
      nodePoolIssuesFor('oke', [
        { taints: [{ key: 'a', value: '', effect: 'NoSchedule' }] },
        { taints: [{ key: 'b', effect: 'Never' }] },
      ]),
    ).toEqual([
      {
        path: ['nodePools', 0, 'taints', 0, 'value'],
        message: expect.stringContaining('must not be empty on oke'),
      },
      {
        path: ['nodePools', 1, 'taints', 0, 'effect'],
        message:
          'must be one of NoSchedule, PreferNoSchedule, NoExecute on oke',
      },
    ]);
    expect(
      nodePoolIssuesFor('eks', [
        { taints: [{ key: 'a', value: '', effect: 'NoSchedule' }] },
      ]),
    ).toEqual([]);
  });
});
