import {
  createPermissionResourceRef,
  createPermissionRule,
} from '@backstage/plugin-permission-node';
import {
  CLUSTER_RESOURCE_TYPE,
  CLUSTER_OWNER_RULE,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { z } from 'zod';
import { ClusterFilter, ClusterRecord } from '../store/ClusterStore';

export const clusterResourceRef = createPermissionResourceRef<
  ClusterRecord,
  ClusterFilter
>().with({
  pluginId: 'pipeline-clusters',
  resourceType: CLUSTER_RESOURCE_TYPE,
});

/** Allows the action when the cluster's owner is one of the given refs. */
export const isClusterOwner = createPermissionRule({
  name: CLUSTER_OWNER_RULE,
  description: 'Allow clusters owned by one of the given groups or users',
  resourceRef: clusterResourceRef,
  paramsSchema: z.object({
    claims: z
      .array(z.string())
      .describe('Entity refs of the caller: the user and its groups'),
  }),
  apply: (cluster, { claims }) =>
    claims.map(c => c.toLowerCase()).includes(cluster.owner),
  toQuery: ({ claims }) => ({ ownerIn: claims.map(c => c.toLowerCase()) }),
});

export const clusterRules = [isClusterOwner];
