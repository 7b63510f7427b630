import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import {
  PROVISIONED_DISTRIBUTIONS,
  ProvisionedDistribution,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { KubeApi, startKubeApi } from '@pipeline-portal/testing';
import { randomBytes } from 'node:crypto';
import { CRDS } from '../distributions/__testUtils__/harness';

/** A 256-bit key for the database secret store, fresh per test run. */
export const TEST_SECRET_KEY = randomBytes(32).toString('base64');

export const secretStoreConfig = {
  pipelinePortal: {
    clusters: {
      secrets: {
        database: { keys: [{ id: 'test', secret: TEST_SECRET_KEY }] },
      },
    },
  },
};

export const testConfig = (extra: object = {}) =>
  new ConfigReader({ ...secretStoreConfig, ...extra });

export const silentLogger = () => mockServices.logger.mock();

/** Every engine CRD any distribution writes, once. */
export const ALL_ENGINE_CRDS = [
  ...new Set(PROVISIONED_DISTRIBUTIONS.flatMap(d => CRDS[d])),
];

export const MANAGEMENT_NAMESPACE = 'pipeline-clusters';

/**
 * The Kubernetes double as a management cluster: every engine CRD, and the
 * namespaces the engines' controllers run in (CAPA reads static identities'
 * Secrets from capa-system).
 */
export async function startManagementCluster(
  distributions: readonly ProvisionedDistribution[] = PROVISIONED_DISTRIBUTIONS,
): Promise<KubeApi> {
  return startKubeApi({
    crds: [...new Set(distributions.flatMap(d => CRDS[d]))],
    namespaces: ['capa-system'],
  });
}
