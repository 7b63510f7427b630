import { pruneUntouched, specValid } from './specData';

const schema = {
  type: 'object' as const,
  properties: {
    retention: { type: 'string' as const, default: '10d' },
    alerting: {
      type: 'object' as const,
      properties: {
        slack: {
          type: 'object' as const,
          required: ['channel'],
          properties: { channel: { type: 'string' as const } },
        },
        pagerduty: {
          type: 'object' as const,
          required: ['credential'],
          properties: {
            credential: { type: 'string' as const },
            severity: { type: 'string' as const, default: 'critical' },
          },
        },
      },
    },
  },
};

describe('pruneUntouched', () => {
  it('drops optional sections holding only their defaults, keeps top-level values', () => {
    const form = {
      retention: '10d',
      alerting: { slack: {}, pagerduty: { severity: 'critical' } },
    };
    expect(specValid(schema, form)).toBe(false);
    const pruned = pruneUntouched(schema, form);
    expect(pruned).toEqual({ retention: '10d' });
    expect(specValid(schema, pruned)).toBe(true);
  });

  it('keeps a section the user filled in, so its required fields are checked', () => {
    const form = {
      alerting: { slack: {}, pagerduty: { severity: 'warning' } },
    };
    const pruned = pruneUntouched(schema, form);
    expect(pruned).toEqual({
      alerting: { pagerduty: { severity: 'warning' } },
    });
    expect(specValid(schema, pruned)).toBe(false);
  });
});
