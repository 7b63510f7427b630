import {
  createPermissionResourceRef,
  createPermissionRule,
} from '@backstage/plugin-permission-node';
import {
  INTEGRATED_SERVICE_INSTANCE_RESOURCE_TYPE,
  INTEGRATED_SERVICE_OWNER_RULE,
} from '@pipeline-portal/plugin-integrated-services-common';
import { z } from 'zod';

/** A service on a cluster, as permission rules see it. */
export interface InstanceResource {
  cluster: string;
  service: string;
  /** The cluster's owner. */
  owner: string;
}

/** Clusters whose owner is one of these (lowercase refs). */
export interface InstanceFilter {
  ownerIn?: string[];
}

/** `cluster/service`: the resourceRef of an instance. */
export function instanceRef(cluster: string, service: string): string {
  return `${cluster}/${service}`;
}

export function parseInstanceRef(
  ref: string,
): { cluster: string; service: string } | undefined {
  const [cluster, service, ...rest] = ref.split('/');
  return cluster && service && !rest.length ? { cluster, service } : undefined;
}

export const instanceResourceRef = createPermissionResourceRef<
  InstanceResource,
  InstanceFilter
>().with({
  pluginId: 'integrated-services',
  resourceType: INTEGRATED_SERVICE_INSTANCE_RESOURCE_TYPE,
});

/** Allows the action on instances of clusters owned by one of the given refs. */
export const isClusterOwner = createPermissionRule({
  name: INTEGRATED_SERVICE_OWNER_RULE,
  description:
    "Allow services on clusters owned by one of the caller's groups or the caller",
  resourceRef: instanceResourceRef,
  paramsSchema: z.object({
    claims: z
      .array(z.string())
      .describe('Entity refs of the caller: the user and its groups'),
  }),
  apply: (instance, { claims }) =>
    claims.map(c => c.toLowerCase()).includes(instance.owner.toLowerCase()),
  toQuery: ({ claims }) => ({ ownerIn: claims.map(c => c.toLowerCase()) }),
});

export const instanceRules = [isClusterOwner];
