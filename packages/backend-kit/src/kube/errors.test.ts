import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { KubeApi, startKubeApi } from '@pipeline-portal/testing';
import {
  KubernetesApiError,
  kubernetesStatusOf,
  toBackstageError,
  toKubernetesApiError,
} from './errors';

/** What the real client throws for a request to the Kubernetes double. */
async function thrown(request: () => Promise<unknown>): Promise<unknown> {
  try {
    await request();
  } catch (error) {
    return error;
  }
  throw new Error('the request succeeded');
}

describe('Kubernetes errors', () => {
  let kube: KubeApi;
  let core: CoreV1Api;
  beforeAll(async () => {
    kube = await startKubeApi({ namespaces: ['shop'] });
    const kc = new KubeConfig();
    kc.loadFromOptions(kube.kubeConfig);
    core = kc.makeApiClient(CoreV1Api);
  });
  afterAll(() => kube.close());
  afterEach(() => kube.faults.clear());

  it("classifies the API server's answers once: the Status message, transient or not, Retry-After", async () => {
    const missing = await thrown(() =>
      core.readNamespacedConfigMap({ name: 'nope', namespace: 'shop' }),
    );
    expect(kubernetesStatusOf(missing)).toBe(404);
    const notFound = toKubernetesApiError(missing, 'reading shop/nope');
    expect(notFound).toBeInstanceOf(KubernetesApiError);
    expect(notFound).toMatchObject({ status: 404, transient: false });
    expect(notFound.message).toMatch(/^reading shop\/nope: .*"nope" not found/);
    expect(toBackstageError(notFound).name).toBe('NotFoundError');

    const body = { metadata: { name: 'settings' }, data: { a: '1' } };
    await core.createNamespacedConfigMap({ namespace: 'shop', body });
    const conflict = toKubernetesApiError(
      await thrown(() =>
        core.createNamespacedConfigMap({ namespace: 'shop', body }),
      ),
      'creating shop/settings',
    );
    expect(conflict).toMatchObject({ status: 409, transient: false });
    expect(toBackstageError(conflict).name).toBe('ConflictError');

    kube.faults.add({ path: '/configmaps', status: 429, retryAfterSeconds: 3 });
    const limited = toKubernetesApiError(
      await thrown(() => core.listNamespacedConfigMap({ namespace: 'shop' })),
      'listing',
    );
    expect(limited).toMatchObject({
      status: 429,
      transient: true,
      retryAfterMs: 3000,
    });
    expect(toBackstageError(limited).name).toBe('ServiceUnavailableError');
    // Classified errors pass through unchanged.
    expect(toKubernetesApiError(limited, 'again')).toBe(limited);
  });

  it('counts a dropped connection as transient, its message one bounded line', async () => {
    kube.faults.add({ path: '/configmaps', drop: true });
    const dropped = toKubernetesApiError(
      await thrown(() => core.listNamespacedConfigMap({ namespace: 'shop' })),
      'listing '.repeat(100),
    );
    expect(dropped).toMatchObject({ transient: true, status: undefined });
    expect(dropped.message).not.toContain('\n');
    expect(dropped.message.length).toBeLessThanOrEqual(500);
    expect(toBackstageError(dropped).name).toBe('ServiceUnavailableError');
  });

  it('maps what the cluster refused or forbade to 400 and 403', () => {
    const refused = toKubernetesApiError(
      {
        code: 422,
        body: JSON.stringify({ message: 'spec.replicas: Invalid' }),
      },
      'applying',
    );
    expect(refused.message).toBe('applying: spec.replicas: Invalid');
    expect(toBackstageError(refused).name).toBe('InputError');
    const forbidden = toKubernetesApiError({ code: 403, body: '' }, 'reading');
    expect(forbidden.message).toBe('reading: HTTP 403');
    expect(toBackstageError(forbidden).name).toBe('NotAllowedError');
  });
});
