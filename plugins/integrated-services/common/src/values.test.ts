import { certManager } from './__fixtures__/definition';
import { mapSpecToValues, mergeValues, renderValues } from './values';
import { validateOverrides, validateSpec } from './specValidation';

const version = () => certManager().spec.versions[0];

describe('renderValues', () => {
  it('merges defaults, the spec with its schema defaults, then overrides', () => {
    expect(
      renderValues(
        version(),
        { replicas: 3, monitoring: true },
        { prometheus: { servicemonitor: { enabled: true } } },
      ),
    ).toEqual({
      installCRDs: true,
      replicaCount: 3,
      prometheus: { enabled: true, servicemonitor: { enabled: true } },
    });
    expect(renderValues(version(), {}).replicaCount).toBe(1);
  });

  it('lets overrides win over the mapped spec and null remove a default', () => {
    const values = renderValues(
      version(),
      { replicas: 3 },
      { replicaCount: 4, installCRDs: null },
    );
    expect(values).toEqual({ replicaCount: 4, prometheus: { enabled: false } });
  });

  it('does not change its inputs', () => {
    const v = version();
    const spec = { replicas: 2 };
    const before = JSON.stringify([v, spec]);
    renderValues(v, spec, { a: 1 });
    expect(JSON.stringify([v, spec])).toBe(before);
  });
});

describe('mapSpecToValues', () => {
  it('substitutes placeholders, drops keys of unset fields, and appends arrays when asked', () => {
    const values = mapSpecToValues(
      [
        {
          when: '/slack',
          appendArrays: true,
          values: {
            receivers: [
              {
                name: 'slack',
                channel: '${/slack/channel}',
                title: 'To ${/slack/channel}',
              },
            ],
          },
        },
        {
          when: '/pager',
          values: { receivers: [{ name: 'pager' }] },
          appendArrays: true,
        },
        { when: '/mode', equals: 'strict', values: { strict: true } },
        { values: { severity: '${/severity}', count: '${/count}' } },
      ],
      { slack: { channel: '#ops' }, mode: 'loose', count: 2 },
      { receivers: [{ name: 'null' }] },
    );
    expect(values).toEqual({
      receivers: [
        { name: 'null' },
        { name: 'slack', channel: '#ops', title: 'To #ops' },
      ],
      count: 2,
    });
  });

  it('replaces arrays as Helm does unless appending', () => {
    expect(mergeValues({ a: [1, 2], b: { c: 1 } }, { a: [3] })).toEqual({
      a: [3],
      b: { c: 1 },
    });
  });
});

describe('validateSpec', () => {
  it('reports the JSON pointer of each bad field, with a prefix', () => {
    const result = validateSpec(
      version(),
      { replicas: 9, email: 'nope', extra: 1 },
      { pointerPrefix: '/spec' },
    );
    expect(result.valid).toBe(false);
    expect(result.issues).toEqual(
      expect.arrayContaining([
        { pointer: '/spec/replicas', message: 'must be <= 5' },
        { pointer: '/spec/email', message: 'must match format "email"' },
        { pointer: '/spec/extra', message: 'is not allowed here' },
      ]),
    );
  });

  it('accepts a valid spec and refuses a spec that is not an object', () => {
    expect(validateSpec(version(), { replicas: 2 }).valid).toBe(true);
    expect(
      validateSpec(version(), ['x'], { pointerPrefix: '/spec' }).issues,
    ).toEqual([{ pointer: '/spec', message: 'must be an object' }]);
  });
});

describe('validateOverrides', () => {
  it('accepts chart values and refuses what is not an object', () => {
    expect(validateOverrides({ a: { b: [1, 'x', null, true] } }).valid).toBe(
      true,
    );
    expect(
      validateOverrides('a: 1', { pointerPrefix: '/overrides' }).issues,
    ).toEqual([
      { pointer: '/overrides', message: 'must be an object of chart values' },
    ]);
  });
});
