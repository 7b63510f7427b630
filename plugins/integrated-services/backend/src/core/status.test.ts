import type { ClusterConnection } from './ClusterConnection';
import { instanceObject, ServiceInstance } from './instance';
import { writeStatus } from './status';

describe('writeStatus', () => {
  const now = new Date('2026-12-06T12:00:00Z');

  it('does not write a status the cluster already holds with its keys in another order', async () => {
    const patchStatus = jest.fn(async () => ({}));
    const conn = { patchStatus } as unknown as ClusterConnection;
    const instance: ServiceInstance = {
      ...instanceObject('pipeline-system', { service: 'certs' }),
    };
    instance.metadata.generation = 1;
    const next = {
      phase: 'Ready' as const,
      installedVersion: '1.0.0',
      message: 'certs 1.0.0 is installed',
      availableTargets: [
        {
          version: '1.1.0',
          direction: 'upgrade' as const,
          path: ['1.0.0', '1.1.0'],
        },
      ],
      unreachable: [],
    };
    const written = await writeStatus(conn, instance, next, now);
    expect(patchStatus).toHaveBeenCalledTimes(1);

    // As an API server gives it back: keys sorted, not in the order written.
    const sortKeys = (v: any): any => {
      if (Array.isArray(v)) return v.map(sortKeys);
      if (!v || typeof v !== 'object') return v;
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map(k => [k, sortKeys(v[k])]),
      );
    };
    instance.status = sortKeys(written);
    expect(Object.keys(instance.status!)[0]).toBe('availableTargets');
    await writeStatus(conn, instance, next, new Date(now.getTime() + 1000));
    expect(patchStatus).toHaveBeenCalledTimes(1);

    await writeStatus(conn, instance, { ...next, message: 'other' }, now);
    expect(patchStatus).toHaveBeenCalledTimes(2);
  });
});
