/* eslint-disable jest/no-export -- shared fixtures and the contract every distribution's test file runs */
import {
  ApiException,
  KubeConfig,
  KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
} from '@kubernetes/client-node';
import { ProvisionedDistribution } from '@pipeline-portal/plugin-pipeline-clusters-common';
import { KubeApi, startKubeApi } from '@pipeline-portal/testing';
import { playEngines } from '../../__testUtils__/engines';
import { distributions } from '../index';
import { CRDS, CREDENTIALS, ctx, NAMESPACE, sampleSpec } from './samples';

export { CRDS, CREDENTIALS, ctx, NAMESPACE, sampleSpec } from './samples';

jest.setTimeout(30_000);

export interface Double {
  api: KubeApi;
  objects: KubernetesObjectApi;
  close(): Promise<void>;
}

export async function startDouble(d: ProvisionedDistribution): Promise<Double> {
  const api = await startKubeApi({
    crds: CRDS[d],
    namespaces: [NAMESPACE, 'capa-system'],
  });
  const kc = new KubeConfig();
  kc.loadFromOptions(api.kubeConfig);
  return {
    api,
    objects: KubernetesObjectApi.makeApiClient(kc),
    close: () => api.close(),
  };
}

/** Every leaf of `expected` is in `actual`: the server pruned nothing. */
export function expectNothingPruned(
  expected: unknown,
  actual: unknown,
  path = '',
) {
  if (expected && typeof expected === 'object' && !Array.isArray(expected)) {
    for (const [k, v] of Object.entries(expected)) {
      expectNothingPruned(
        v,
        (actual as Record<string, unknown>)?.[k],
        `${path}.${k}`,
      );
    }
    return;
  }
  if (Array.isArray(expected)) {
    expect({ path, length: (actual as unknown[])?.length }).toEqual({
      path,
      length: expected.length,
    });
    expected.forEach((v, i) =>
      expectNothingPruned(v, (actual as unknown[])[i], `${path}[${i}]`),
    );
    return;
  }
  expect({ path, value: actual }).toEqual({ path, value: expected });
}

/**
 * Creates each object over HTTPS with client-node (server-side apply, as the
 * portal writes them) and checks the server kept every field.
 */
export async function applyAll(
  objects: KubernetesObjectApi,
  manifests: KubernetesObject[],
): Promise<KubernetesObject[]> {
  const stored: KubernetesObject[] = [];
  for (const manifest of manifests) {
    const result = await objects.patch(
      manifest,
      undefined,
      undefined,
      'pipeline-portal',
      true,
      PatchStrategy.ServerSideApply,
    );
    const { metadata: _m, ...rest } = manifest;
    expectNothingPruned(rest, result);
    stored.push(result);
  }
  return stored;
}

/** The status code and field paths of a failed client-node call. */
export async function rejection(p: Promise<unknown>) {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApiException) {
      const body =
        typeof err.body === 'string' ? JSON.parse(err.body) : err.body;
      return {
        code: err.code,
        fields: (body?.details?.causes ?? []).map(
          (c: { field: string }) => c.field,
        ),
        message: body?.message as string,
      };
    }
    throw err;
  }
  throw new Error('expected the request to be rejected');
}

/** Reads back what render produced, in render order (undefined when absent). */
export function readBack(api: KubeApi, manifests: KubernetesObject[]) {
  return manifests.map(m => api.get(m as any) as KubernetesObject | undefined);
}

/**
 * The behaviour every distribution shares: its objects pass the real CRDs,
 * render is pure, and readStatus follows the engine through a lifecycle.
 */
export function describeDistribution(d: ProvisionedDistribution) {
  const distribution = distributions[d];
  const spec = sampleSpec(d);

  describe(`${d}: shared contract`, () => {
    let double: Double;
    beforeAll(async () => {
      double = await startDouble(d);
      playEngines(double.api, {
        // Long enough for a test to read the intermediate state over HTTP.
        readyAfterMs: 1_500,
        failWith: {
          cluster: 'broken',
          message: 'quota exceeded for instances',
        },
      });
    });
    afterAll(() => double.close());

    it('renders deterministically, labelled with cluster and owner', () => {
      const a = distribution.render(spec, ctx);
      const b = distribution.render(structuredClone(spec), { ...ctx });
      expect(JSON.stringify(a)).toEqual(JSON.stringify(b));
      for (const o of a) {
        expect(o.metadata?.labels).toMatchObject({
          'pipeline-portal.io/cluster': 'orders',
          'pipeline-portal.io/owner': 'group.default.payments',
        });
      }
    });

    it('creates the credential and every rendered object against the real CRDs, then follows the lifecycle', async () => {
      const { api, objects } = double;
      const manifests = distribution.render(spec, ctx);

      // Nothing created yet.
      expect(
        distribution.readStatus(
          spec,
          manifests.map(() => undefined),
        ),
      ).toMatchObject({ phase: 'Provisioning' });

      await applyAll(
        objects,
        distribution.credentialObjects(spec, ctx, CREDENTIALS[d]),
      );
      await applyAll(objects, manifests);

      // Created, the engine has not reported yet.
      const unreported = readBack(api, manifests).map(
        o => o && { ...o, status: undefined },
      );
      const early = distribution.readStatus(spec, unreported);
      expect(early.phase).toBe('Provisioning');

      await api.settle();
      const running = distribution.readStatus(spec, readBack(api, manifests));
      expect(running).toMatchObject({
        phase: 'Running',
        kubernetesVersion: '1.32',
      });
      expect(running.nodeCount).toBeGreaterThanOrEqual(3);

      const loc = distribution.kubeconfigLocation(spec, ctx);
      const kubeconfig = api.get({
        apiVersion: 'v1',
        kind: 'Secret',
        ...loc,
      }) as any;
      expect(
        Buffer.from(kubeconfig.data[loc.key], 'base64').toString(),
      ).toContain(api.url);

      // Upgrade: the engine still reports 1.32 while the spec asks for 1.33.
      const upgraded = { ...spec, kubernetesVersion: '1.33' };
      const next = distribution.render(upgraded, ctx);
      await applyAll(objects, next);
      const updating = distribution.readStatus(upgraded, readBack(api, next));
      expect(updating).toMatchObject({
        phase: 'Updating',
        kubernetesVersion: '1.32',
      });
      await api.settle();
      expect(
        distribution.readStatus(upgraded, readBack(api, next)),
      ).toMatchObject({
        phase: 'Running',
        kubernetesVersion: '1.33',
      });

      // Delete the top-level object: Deleting while finalizers are pending.
      const top = next.find(o => o.kind === 'Cluster') ?? next[0];
      await objects.delete(top);
      expect(distribution.readStatus(upgraded, readBack(api, next)).phase).toBe(
        'Deleting',
      );
      await api.settle();
      expect(api.get(top as any)).toBeUndefined();
      // Cluster API cascades the delete to every object through the
      // ownerReferences its controllers set; Crossplane resources stand alone.
      const remaining =
        distribution.engine === 'cluster-api'
          ? readBack(api, next).filter(Boolean)
          : [];
      expect(remaining).toEqual([]);
    });

    it('surfaces the engine failure message as Error', async () => {
      const broken = { ...spec, name: 'broken' };
      const manifests = distribution.render(broken, ctx);
      await applyAll(double.objects, manifests);
      await double.api.settle();
      expect(
        distribution.readStatus(broken, readBack(double.api, manifests)),
      ).toMatchObject({
        phase: 'Error',
        message: 'quota exceeded for instances',
      });
    });

    it('reports scaling as Updating until the engine reports the new size', async () => {
      const scaled = { ...spec, name: 'scaled' };
      await applyAll(double.objects, distribution.render(scaled, ctx));
      await double.api.settle();
      const bigger = {
        ...scaled,
        nodePools: scaled.nodePools.map(p =>
          p.name === 'gpu'
            ? { ...p, maxSize: 2, minSize: 2, desiredSize: 2 }
            : p,
        ),
      };
      const manifests = distribution.render(bigger, ctx);
      await applyAll(double.objects, manifests);
      expect(
        distribution.readStatus(bigger, readBack(double.api, manifests)),
      ).toMatchObject({
        phase: 'Updating',
      });
      await double.api.settle();
      expect(
        distribution.readStatus(bigger, readBack(double.api, manifests)).phase,
      ).toBe('Running');
    });
  });
}
