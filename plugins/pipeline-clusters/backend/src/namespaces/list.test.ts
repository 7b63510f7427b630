import { KubeConfig } from '@kubernetes/client-node';
import {
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { createNamespaceSchema } from '@pipeline-portal/plugin-pipeline-clusters-common';
import { KubeApi, KYVERNO_CRDS, startKubeApi } from '@pipeline-portal/testing';
import { applyTeamNamespace } from './apply';
import { listTeamNamespaces, readTeamNamespace } from './list';

const kubeConfigOf = (api: KubeApi, token = api.token) => {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    ...api.kubeConfig,
    users: api.kubeConfig.users.map(u => ({ ...u, token })),
  });
  return kc;
};

describe('listTeamNamespaces', () => {
  let api: KubeApi;

  beforeAll(async () => {
    api = await startKubeApi({ crds: KYVERNO_CRDS });
    for (const [namespace, team] of [
      ['web', 'group:default/payments'],
      ['batch', 'group:finance/payments'],
    ]) {
      await applyTeamNamespace(
        kubeConfigOf(api),
        createNamespaceSchema.parse({ namespace, team }),
      );
    }
    api.create({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: 'lookalike',
        labels: { 'pipeline-portal.io/team': 'payments' },
      },
    });
  });
  afterAll(() => api.close());

  it('lists only the namespaces carrying the managed-by label, sorted by name', async () => {
    const listed = await listTeamNamespaces(kubeConfigOf(api));
    expect(listed.map(({ createdAt, ...rest }) => rest)).toEqual([
      {
        name: 'batch',
        owner: 'group:finance/payments',
        team: 'finance.payments',
        phase: 'Active',
      },
      {
        name: 'web',
        owner: 'group:default/payments',
        team: 'payments',
        phase: 'Active',
      },
    ]);
    const [{ query }] = api.requests.list(
      r => r.method === 'GET' && r.path === '/api/v1/namespaces',
    );
    expect(query).toMatchObject({
      labelSelector: 'pipeline-portal.io/managed-by=pipeline-portal',
    });
  });

  it('refuses with the cluster named when its credentials are not accepted', async () => {
    const attempt = listTeamNamespaces(kubeConfigOf(api, 'not-the-token'), {
      cluster: 'apps',
    });
    await expect(attempt).rejects.toThrow(NotAllowedError);
    await expect(attempt).rejects.toThrow(
      /^Listing the namespaces of cluster "apps" failed: .*the portal's credentials/,
    );
  });

  it('answers 503 when the API server does not answer', async () => {
    const gone = await startKubeApi();
    const kc = kubeConfigOf(gone);
    await gone.close();
    await expect(
      listTeamNamespaces(kc, { cluster: 'gone', timeoutMs: 2_000 }),
    ).rejects.toThrow(ServiceUnavailableError);
  });

  it('reads one team namespace; others are not found, alike', async () => {
    const kc = kubeConfigOf(api);
    await expect(
      readTeamNamespace(kc, 'batch', { cluster: 'apps' }),
    ).resolves.toMatchObject({
      name: 'batch',
      owner: 'group:finance/payments',
      team: 'finance.payments',
      phase: 'Active',
    });
    for (const name of ['lookalike', 'kube-system', 'absent']) {
      const attempt = readTeamNamespace(kc, name, { cluster: 'apps' });
      await expect(attempt).rejects.toThrow(NotFoundError);
      await expect(attempt).rejects.toThrow(
        `namespace "${name}" is not a team namespace on cluster "apps"`,
      );
    }
  });

  it('reading one: refused credentials and an API server that does not answer', async () => {
    const refused = readTeamNamespace(
      kubeConfigOf(api, 'not-the-token'),
      'web',
      {
        cluster: 'apps',
      },
    );
    await expect(refused).rejects.toThrow(NotAllowedError);
    await expect(refused).rejects.toThrow(
      /^Reading namespace "web" of cluster "apps" failed: .*the portal's credentials/,
    );
    const slow = api.faults.add({
      path: '/api/v1/namespaces/web',
      latencyMs: 3_000,
      times: 1,
    });
    await expect(
      readTeamNamespace(kubeConfigOf(api), 'web', {
        cluster: 'apps',
        timeoutMs: 200,
      }),
    ).rejects.toThrow(
      'Reading namespace "web" of cluster "apps" failed: no answer within 200 ms',
    );
    slow.remove();
  });
});
