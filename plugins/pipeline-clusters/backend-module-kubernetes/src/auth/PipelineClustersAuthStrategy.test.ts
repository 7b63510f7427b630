import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { mockServices } from '@backstage/backend-test-utils';
import {
  AuthenticationStrategy,
  ClusterDetails,
} from '@backstage/plugin-kubernetes-node';
import {
  ClusterCredentials,
  PORTAL_CLUSTER_ANNOTATION,
} from './ClusterCredentials';
import { PipelineClustersAuthStrategy } from './PipelineClustersAuthStrategy';
import { authStrategies } from './authStrategies';

const fallback = {
  getCredential: jest.fn<
    ReturnType<AuthenticationStrategy['getCredential']>,
    Parameters<AuthenticationStrategy['getCredential']>
  >(async () => ({ type: 'bearer token', token: 'backend-own-token' })),
  validateCluster: jest.fn((): Error[] => []),
  presentAuthMetadata: jest.fn(() => ({})),
};

const details = (name: string, portal: boolean): ClusterDetails => ({
  name,
  url: `https://${name}.example.com`,
  authMetadata: {
    'kubernetes.io/auth-provider': 'serviceAccount',
    ...(portal && { [PORTAL_CLUSTER_ANNOTATION]: name }),
  },
});

describe('PipelineClustersAuthStrategy', () => {
  beforeEach(() => jest.clearAllMocks());

  it("hands out a portal cluster's own credential, for that details object only", async () => {
    const credentials = new ClusterCredentials();
    const strategy = new PipelineClustersAuthStrategy(credentials, fallback);
    const alpha = details('alpha', true);
    const cert = {
      type: 'x509 client certificate' as const,
      cert: 'CERT',
      key: 'KEY',
    };
    credentials.set(alpha, cert);

    await expect(strategy.getCredential(alpha, {})).resolves.toBe(cert);
    // The same name and URL declared elsewhere is another cluster.
    await expect(
      strategy.getCredential({ ...alpha, authMetadata: {} }, {}),
    ).resolves.toEqual({ type: 'bearer token', token: 'backend-own-token' });
    expect(fallback.getCredential).toHaveBeenCalledTimes(1);
  });

  it("refuses a portal cluster without its credential instead of using the backend's own token", async () => {
    const strategy = new PipelineClustersAuthStrategy(
      new ClusterCredentials(),
      fallback,
    );
    await expect(
      strategy.getCredential(details('orphan', true), {}),
    ).rejects.toThrow('No credential is known for portal cluster orphan');
    expect(fallback.getCredential).not.toHaveBeenCalled();
  });

  it('leaves every other cluster to the stock strategy', async () => {
    const strategy = new PipelineClustersAuthStrategy(
      new ClusterCredentials(),
      fallback,
    );
    const host = details('host', false);
    await expect(strategy.getCredential(host, {})).resolves.toEqual({
      type: 'bearer token',
      token: 'backend-own-token',
    });
    expect(strategy.presentAuthMetadata(host.authMetadata)).toEqual({});
    expect(strategy.validateCluster(host.authMetadata)).toEqual([]);
  });
});

describe('authStrategies', () => {
  it('registers again every default strategy of the installed Kubernetes plugin', () => {
    // The plugin drops its defaults once any strategy is added, so the list
    // here must follow the plugin's own; this reads it from the package.
    const pkg = require.resolve(
      '@backstage/plugin-kubernetes-backend/package.json',
    );
    const source = readFileSync(
      join(dirname(pkg), 'dist/auth/buildDefaultAuthStrategyMap.cjs.js'),
      'utf8',
    );
    const upstream = [...source.matchAll(/\[\s*"(\w+)",\s*new /g)].map(
      m => m[1],
    );
    expect(upstream.length).toBeGreaterThan(5);

    const ours = authStrategies({
      config: mockServices.rootConfig(),
      logger: mockServices.logger.mock(),
      credentials: new ClusterCredentials(),
    });
    expect(ours.map(([name]) => name).sort()).toEqual(upstream.sort());
    expect(
      ours.find(([name]) => name === 'serviceAccount')?.[1],
    ).toBeInstanceOf(PipelineClustersAuthStrategy);
  });
});
