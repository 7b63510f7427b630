import { ResponseError } from '@backstage/errors';
import {
  Cluster,
  DEFAULT_OFFERED_VERSIONS,
  NodePool,
  PipelineClustersApi,
} from '@pipeline-portal/plugin-pipeline-clusters-common';

/** Loosely typed so each test gives only the implementations it needs. */
export type MockClustersApi = { [K in keyof PipelineClustersApi]: jest.Mock };

/** Every method a jest.fn; tests give the ones they exercise an implementation. */
export function mockClustersApi(
  overrides: Partial<MockClustersApi> = {},
): MockClustersApi {
  return {
    getSettings: jest.fn(async () => ({
      provisioning: { available: true },
      offeredVersions: Object.fromEntries(
        Object.entries(DEFAULT_OFFERED_VERSIONS).map(([d, v]) => [d, [...v]]),
      ),
    })),
    listClusters: jest.fn(async () => ({ items: [], totalCount: 0 })),
    getCluster: jest.fn(),
    createCluster: jest.fn(),
    importCluster: jest.fn(),
    updateCluster: jest.fn(),
    deleteCluster: jest.fn(),
    getClusterHistory: jest.fn(async () => []),
    getKubeconfig: jest.fn(),
    getClusterAccess: jest.fn(),
    createNamespace: jest.fn(),
    listNamespaces: jest.fn(async () => []),
    getNamespace: jest.fn(),
    listCredentials: jest.fn(async () => []),
    createCredential: jest.fn(),
    deleteCredential: jest.fn(),
    getCredentialValue: jest.fn(),
    ...overrides,
  };
}

/** The pool `makeCluster` gives a cluster: `default`, m5.large, 1-2-3. */
export function makeNodePool(overrides: Partial<NodePool> = {}): NodePool {
  return {
    name: 'default',
    machineType: 'm5.large',
    minSize: 1,
    desiredSize: 2,
    maxSize: 3,
    labels: {},
    taints: [],
    ...overrides,
  };
}

export function makeCluster(overrides: Partial<Cluster> = {}): Cluster {
  const name = overrides.name ?? 'prod-1';
  return {
    name,
    owner: 'group:default/payments',
    distribution: 'eks',
    spec: {
      name,
      owner: 'group:default/payments',
      distribution: 'eks',
      region: 'eu-west-1',
      kubernetesVersion: '1.31',
      credential: 'aws-main',
      nodePools: [makeNodePool()],
    },
    status: { phase: 'Running', kubernetesVersion: '1.31', nodeCount: 2 },
    revision: 7,
    createdAt: '2025-01-02T10:00:00Z',
    updatedAt: '2025-01-02T11:00:00Z',
    ...overrides,
  };
}

/** A ResponseError as the client throws it, from a backend error body. */
export function responseError(status: number, message: string) {
  const body = JSON.stringify({
    error: { name: status === 409 ? 'ConflictError' : 'InputError', message },
    response: { statusCode: status },
  });
  return ResponseError.fromResponse({
    ok: false,
    status,
    statusText: status === 409 ? 'Conflict' : 'Bad Request',
    url: 'http://localhost/api/pipeline-clusters',
    headers: {
      get: (h: string) => (h === 'content-type' ? 'application/json' : null),
    },
    text: async () => body,
  } as any);
}
