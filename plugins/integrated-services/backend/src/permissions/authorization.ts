import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import { createConditionAuthorizer } from '@backstage/plugin-permission-node';
import { INTEGRATED_SERVICE_INSTANCE_RESOURCE_TYPE } from '@pipeline-portal/plugin-integrated-services-common';
import { InstanceResource, instanceRef, instanceRules } from './rules';

type InstancePermission = ResourcePermission<
  typeof INTEGRATED_SERVICE_INSTANCE_RESOURCE_TYPE
>;

const authorizer = createConditionAuthorizer<InstanceResource, unknown>(
  instanceRules as any,
);

/** Answers the router's permission questions about service instances. */
export class InstanceAuthorization {
  constructor(private readonly permissions: PermissionsService) {}

  /** True when the permission is granted on the instance. */
  async allowedOn(
    permission: InstancePermission,
    cluster: string,
    service: string,
    credentials: BackstageCredentials,
  ): Promise<boolean> {
    const [decision] = await this.permissions.authorize(
      [{ permission, resourceRef: instanceRef(cluster, service) }],
      { credentials },
    );
    return decision.result === AuthorizeResult.ALLOW;
  }

  /** Throws NotAllowedError unless the permission is granted on the instance. */
  async requireOn(
    permission: InstancePermission,
    cluster: string,
    service: string,
    credentials: BackstageCredentials,
  ): Promise<void> {
    if (!(await this.allowedOn(permission, cluster, service, credentials))) {
      throw new NotAllowedError(
        `not allowed: ${permission.name} of ${service} on cluster ${cluster}`,
      );
    }
  }

  /**
   * Which clusters' instances the caller may see with a permission, as a
   * predicate over the cluster's owner; NotAllowedError when none.
   */
  async visible(
    permission: InstancePermission,
    credentials: BackstageCredentials,
  ): Promise<(cluster: { name: string; owner: string }) => boolean> {
    const [decision] = await this.permissions.authorizeConditional(
      [{ permission }],
      { credentials },
    );
    if (decision.result === AuthorizeResult.ALLOW) return () => true;
    if (decision.result === AuthorizeResult.CONDITIONAL) {
      return c =>
        authorizer(decision, { cluster: c.name, service: '', owner: c.owner });
    }
    throw new NotAllowedError(`not allowed: ${permission.name}`);
  }
}
