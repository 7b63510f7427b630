import {
  CREDENTIAL_KIND_OF,
  ProvisionedDistribution,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { ack } from './ack';
import { aks } from './aks';
import { doks } from './doks';
import { eks } from './eks';
import { gke } from './gke';
import { oke } from './oke';
import { ClusterDistribution, RenderContext } from './types';

export type {
  ClusterDistribution,
  KubeconfigLocation,
  ObservedStatus,
  RenderContext,
} from './types';
export { CLUSTER_LABEL, OWNER_LABEL, DISTRIBUTION_LABEL } from './labels';
export { minorVersion } from './status';

export const distributions: Record<
  ProvisionedDistribution,
  ClusterDistribution
> = { eks, aks, gke, oke, ack, doks };

export function getDistribution(
  id: ProvisionedDistribution,
): ClusterDistribution {
  const distribution = distributions[id];
  if (!distribution) throw new Error(`unknown distribution "${id}"`);
  return distribution;
}

/**
 * The cloud coordinates some engines need besides the spec, read from the
 * credential's value: GKE's project (`project_id` of the key) and OKE's
 * compartment (the tenancy, i.e. the root compartment).
 */
export function cloudContextFromCredential(
  id: ProvisionedDistribution,
  value: Record<string, string>,
): RenderContext['cloud'] {
  switch (CREDENTIAL_KIND_OF[id]) {
    case 'google': {
      const key = JSON.parse(value.serviceAccountKey) as {
        project_id?: string;
      };
      return key.project_id ? { gcpProject: key.project_id } : {};
    }
    case 'oracle':
      return { ociCompartmentId: value.tenancy };
    default:
      return {};
  }
}
