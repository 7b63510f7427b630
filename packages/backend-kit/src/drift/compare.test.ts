import { compareObject, formatPath, formatValue } from './compare';

describe('compareObject', () => {
  it('treats empty maps and lists like absent ones, but not empty strings', () => {
    expect(
      compareObject(
        { spec: { a: {}, b: [], c: '' } },
        { spec: { b: null, c: '' } },
      ),
    ).toEqual([]);
    expect(compareObject({ spec: { c: '' } }, { spec: {} })).toEqual([
      { path: ['spec', 'c'], live: undefined, desired: '' },
    ]);
    expect(compareObject({ spec: { on: false } }, { spec: {} })).toHaveLength(
      1,
    );
  });

  it('reads lists atomically unless the CRD keys them', () => {
    expect(
      compareObject({ spec: { l: ['a'] } }, { spec: { l: ['a', 'b'] } }),
    ).toEqual([{ path: ['spec', 'l'], live: ['a', 'b'], desired: ['a'] }]);
    // Items compare as subsets: a defaulted field inside one is no drift.
    expect(
      compareObject(
        { spec: { l: [{ n: 'x' }] } },
        { spec: { l: [{ n: 'x', d: 1 }] } },
      ),
    ).toEqual([]);
    const keyed = {
      keyedLists: [{ path: ['spec', 't'], keys: ['key', 'effect'] }],
    };
    const drift = compareObject(
      { spec: { t: [{ key: 'a', effect: 'NoSchedule', value: '1' }] } },
      { spec: { t: [{ key: 'a', effect: 'NoSchedule', value: '2' }] } },
      keyed,
    );
    expect(drift.map(d => formatPath(d.path))).toEqual([
      'spec.t[key=a,effect=NoSchedule].value',
    ]);
    expect(
      compareObject(
        { spec: { t: [{ key: 'a', effect: 'NoSchedule' }] } },
        { spec: { t: [{ key: 'b', effect: 'NoSchedule' }] } },
        keyed,
      ),
    ).toEqual([
      {
        path: ['spec', 't', { item: { key: 'a', effect: 'NoSchedule' } }],
        live: undefined,
        desired: { key: 'a', effect: 'NoSchedule' },
      },
    ]);
  });

  it('counts only labels and annotations of the metadata, never status', () => {
    expect(
      compareObject(
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'a', labels: { team: 'x' } },
          status: { ready: true },
          data: { k: 'v' },
        },
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'a', uid: 'u', labels: { team: 'y', extra: 'z' } },
          data: { k: 'v', other: 'w' },
        },
      ),
    ).toEqual([
      { path: ['metadata', 'labels', 'team'], live: 'y', desired: 'x' },
    ]);
  });

  it('skips engine-owned fields and compares normalized values', () => {
    const rules = {
      engineOwned: [['spec', 'replicas']],
      normalized: [
        {
          path: ['spec', 'version'],
          normalize: (v: unknown) => String(v).replace(/^v/, ''),
        },
      ],
    };
    expect(
      compareObject(
        { spec: { replicas: 1, version: '1.30' } },
        { spec: { replicas: 5, version: 'v1.30' } },
        rules,
      ),
    ).toEqual([]);
    expect(
      compareObject(
        { spec: { replicas: 1, version: '1.30' } },
        { spec: { replicas: 5, version: 'v1.31' } },
        rules,
      ),
    ).toEqual([{ path: ['spec', 'version'], live: 'v1.31', desired: '1.30' }]);
  });

  it('reports a map where the live object has a scalar', () => {
    expect(
      compareObject({ spec: { a: { b: 1 } } }, { spec: { a: 3 } }),
    ).toEqual([{ path: ['spec', 'a'], live: 3, desired: { b: 1 } }]);
  });
});

describe('formatPath and formatValue', () => {
  it('writes paths as a reader would', () => {
    expect(
      formatPath([
        'spec',
        'taints',
        { item: { key: 'dedicated', effect: 'NoExecute' } },
        'value',
      ]),
    ).toBe('spec.taints[key=dedicated,effect=NoExecute].value');
    expect(formatPath(['metadata', 'labels', 'a/b'])).toBe(
      'metadata.labels["a/b"]',
    );
    expect(formatPath(['spec', 'items', 0, 'name'])).toBe('spec.items[0].name');
  });

  it('writes simple strings bare, the rest as JSON, and cuts them short', () => {
    expect(formatValue(undefined)).toBe('absent');
    expect(formatValue('group.default.payments')).toBe(
      'group.default.payments',
    );
    expect(formatValue('two words')).toBe('"two words"');
    expect(formatValue({ a: 1 })).toBe('{"a":1}');
    const long = formatValue('x'.repeat(100), 10);
    expect(long).toBe(`${'x'.repeat(9)}…`);
  });
});
