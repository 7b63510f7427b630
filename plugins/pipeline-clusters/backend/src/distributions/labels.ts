import { ClusterSpec } from '@pipeline-portal/plugin-pipeline-clusters-common';
import { labelValue } from './names';

export const CLUSTER_LABEL = 'pipeline-portal.io/cluster';
export const OWNER_LABEL = 'pipeline-portal.io/owner';
export const DISTRIBUTION_LABEL = 'pipeline-portal.io/distribution';

/** Labels every rendered object carries, to find and garbage-collect them. */
export function portalLabels(spec: ClusterSpec): Record<string, string> {
  return {
    [CLUSTER_LABEL]: spec.name,
    [OWNER_LABEL]: labelValue(spec.owner),
    [DISTRIBUTION_LABEL]: spec.distribution,
  };
}
