import { Cluster } from '@pipeline-portal/plugin-pipeline-clusters-common';
import { ClusterRecord } from '../store/ClusterStore';

/** The REST shape of a cluster: no bookkeeping, never a secret. */
export function toApi(record: ClusterRecord): Cluster {
  return {
    name: record.name,
    owner: record.owner,
    distribution: record.distribution,
    ...(record.spec ? { spec: record.spec } : {}),
    status: {
      phase: record.phase,
      ...(record.message ? { message: record.message } : {}),
      ...record.observed,
    },
    revision: record.revision,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}
