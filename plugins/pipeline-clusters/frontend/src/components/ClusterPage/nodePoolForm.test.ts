import { makeNodePool } from '../../__testUtils__/mocks';
import {
  emptyLabel,
  emptyTaint,
  newPoolForm,
  NodePoolForm,
  poolsWithForm,
  serverFieldErrors,
} from './nodePoolForm';

const POOL = makeNodePool();

const form: NodePoolForm = {
  ...newPoolForm(),
  name: 'gpu',
  machineType: 'g5.xlarge',
  // Blank rows in between: errors still point at the rows as shown.
  labels: [emptyLabel(), { key: 'example.com/role', value: 'gpu' }],
  taints: [
    emptyTaint(),
    { key: 'spot', value: '', effect: 'PreferNoSchedule' },
    { key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' },
  ],
};

describe('poolsWithForm', () => {
  it('appends the pool, leaving blank rows and empty taint values out', () => {
    expect(poolsWithForm(form, [POOL], 1)).toEqual({
      ok: true,
      value: [
        POOL,
        {
          name: 'gpu',
          machineType: 'g5.xlarge',
          minSize: 1,
          desiredSize: 1,
          maxSize: 3,
          labels: { 'example.com/role': 'gpu' },
          taints: [
            { key: 'spot', effect: 'PreferNoSchedule' },
            { key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' },
          ],
        },
      ],
    });
  });

  it('refuses a 21st pool as the API does', () => {
    const pools = Array.from({ length: 20 }, (_, i) => ({
      ...POOL,
      name: `p${i}`,
    }));
    const result = poolsWithForm(form, pools, 20);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors['']).toMatch(/20/);
  });
});

describe('serverFieldErrors', () => {
  it('puts each field the API names below the pool on its form row', () => {
    const message = [
      'invalid cluster change: nodePools[1].labels.example.com/role: must be a Kubernetes label value',
      'nodePools[1].taints[1].effect: Invalid option',
      'nodePools[1].desiredSize: desiredSize (5) must be between minSize (1) and maxSize (3)',
      'nodePools[0].name: about another pool',
    ].join('; ');
    expect(serverFieldErrors(message, form, 1)).toEqual({
      'labels.1.value': 'must be a Kubernetes label value',
      'taints.2.effect': 'Invalid option',
      desiredSize:
        'desiredSize (5) must be between minSize (1) and maxSize (3)',
    });
  });

  it('names nothing when the message names no field of the pool', () => {
    expect(
      serverFieldErrors('cluster "prod-1" is being deleted', form, 1),
    ).toEqual({});
  });
});
