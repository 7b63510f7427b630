import { Config } from '@backstage/config';
import {
  DEFAULT_OFFERED_VERSIONS,
  PROVISIONED_DISTRIBUTIONS,
  ProvisionedDistribution,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import {
  KubeconfigPolicy,
  readKubeconfigPolicy,
} from './kubeconfig/acceptKubeconfig';
import {
  readTeamNamespaceSettings,
  TeamNamespaceSettings,
} from './namespaces/settings';
import { ServiceAccess } from './permissions/serviceAccess';
import { ReconcilerOptions } from './service/ClusterReconciler';

export interface ClustersConfig {
  offeredVersions: Record<ProvisionedDistribution, readonly string[]>;
  importPolicy: KubeconfigPolicy;
  reconcileIntervalSeconds: number;
  /** Which plugins may call the service-to-service routes. */
  serviceAccess: ServiceAccess;
  /** What config adds to every team namespace. */
  namespaces: TeamNamespaceSettings;
  reconcile: Pick<
    ReconcilerOptions,
    | 'concurrency'
    | 'requestsPerSecondPerCluster'
    | 'provisioningTimeoutMs'
    | 'maxBackoffMs'
    | 'resyncMs'
  >;
}

/** Reads `pipelinePortal.clusters.*` (see config.d.ts for the defaults). */
export function readClustersConfig(config: Config): ClustersConfig {
  const root = 'pipelinePortal.clusters';
  const offeredVersions = { ...DEFAULT_OFFERED_VERSIONS };
  for (const distribution of PROVISIONED_DISTRIBUTIONS) {
    const key = `${root}.versions.${distribution}`;
    const versions = config.getOptionalStringArray(key);
    if (versions) {
      for (const [i, v] of versions.entries()) {
        if (!/^\d+\.\d+$/.test(v)) {
          throw new Error(
            `${key}[${i}]: "${v}" is not a minor version such as 1.32`,
          );
        }
      }
      offeredVersions[distribution] = versions;
    }
  }
  const reconcile = config.getOptionalConfig(`${root}.reconcile`);
  const seconds = (key: string, fallback: number) =>
    reconcile?.getOptionalNumber(key) ?? fallback;
  return {
    offeredVersions,
    importPolicy: readKubeconfigPolicy(config),
    serviceAccess: ServiceAccess.fromConfig(config),
    namespaces: readTeamNamespaceSettings(config),
    reconcileIntervalSeconds: seconds('intervalSeconds', 10),
    reconcile: {
      concurrency: seconds('concurrency', 40),
      requestsPerSecondPerCluster: seconds('requestsPerSecondPerCluster', 20),
      provisioningTimeoutMs: seconds('provisioningTimeoutMinutes', 60) * 60_000,
      maxBackoffMs: seconds('maxBackoffSeconds', 300) * 1000,
      resyncMs: seconds('resyncSeconds', 60) * 1000,
    },
  };
}
