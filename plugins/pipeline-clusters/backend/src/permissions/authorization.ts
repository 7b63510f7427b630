import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
  PermissionCriteria,
  PermissionCondition,
  PolicyDecision,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  createConditionAuthorizer,
  createConditionTransformer,
} from '@backstage/plugin-permission-node';
import {
  CLUSTER_RESOURCE_TYPE,
  clusterUpdatePermission,
  namespaceCreatePermission,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { ClusterFilter, ClusterRecord } from '../store/ClusterStore';
import { clusterRules } from './rules';

const authorizer = createConditionAuthorizer<ClusterRecord, ClusterFilter>(
  clusterRules,
);
const transformer = createConditionTransformer<ClusterFilter>(
  clusterRules as any,
);

type ClusterCriteria = PermissionCriteria<
  PermissionCondition<typeof CLUSTER_RESOURCE_TYPE>
>;

/**
 * How long a user's decision for a permission without a resource (a list
 * filter, "may act for an owner") is reused: each decision is a round trip to
 * the permission backend, about half of a list request's time. A role or
 * group change takes effect after at most this long.
 */
const DECISION_TTL_MS = 5_000;
const MAX_CACHED_DECISIONS = 10_000;

/** Answers the router's permission questions about clusters. */
export class ClusterAuthorization {
  private readonly decisions = new Map<
    string,
    { at: number; decision: Promise<PolicyDecision> }
  >();

  constructor(private readonly permissions: PermissionsService) {}

  /** The conditional decision for a permission, reused briefly per user. */
  private conditional(
    permission: ResourcePermission<typeof CLUSTER_RESOURCE_TYPE>,
    credentials: BackstageCredentials,
  ): Promise<PolicyDecision> {
    const principal = credentials.principal as {
      type: string;
      userEntityRef?: string;
      subject?: string;
    };
    const who = principal.userEntityRef ?? principal.subject;
    const ask = () =>
      this.permissions
        .authorizeConditional([{ permission }], { credentials })
        .then(([decision]) => decision);
    if (!who) return ask();
    const key = `${principal.type}:${who}:${permission.name}`;
    const now = Date.now();
    const cached = this.decisions.get(key);
    if (cached && now - cached.at < DECISION_TTL_MS) return cached.decision;
    if (this.decisions.size >= MAX_CACHED_DECISIONS) this.decisions.clear();
    const decision = ask();
    this.decisions.set(key, { at: now, decision });
    // A failed call is not an answer: ask again next time.
    decision.catch(() => this.decisions.delete(key));
    return decision;
  }

  /** Throws NotAllowedError unless a basic permission is granted. */
  async require(
    permission: BasicPermission,
    credentials: BackstageCredentials,
  ): Promise<void> {
    const [decision] = await this.permissions.authorize([{ permission }], {
      credentials,
    });
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`not allowed: ${permission.name}`);
    }
  }

  /** Throws NotAllowedError unless the permission is granted on the cluster. */
  async requireOn(
    permission: ResourcePermission<typeof CLUSTER_RESOURCE_TYPE>,
    cluster: string,
    credentials: BackstageCredentials,
  ): Promise<void> {
    const [decision] = await this.permissions.authorize(
      [{ permission, resourceRef: cluster }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `not allowed: ${permission.name} on ${cluster}`,
      );
    }
  }

  /**
   * The list filter a permission allows: undefined for all clusters, a
   * filter when conditional; NotAllowedError when denied.
   */
  async filterFor(
    permission: ResourcePermission<typeof CLUSTER_RESOURCE_TYPE>,
    credentials: BackstageCredentials,
  ): Promise<ClusterFilter | undefined> {
    const decision = await this.conditional(permission, credentials);
    if (decision.result === AuthorizeResult.CONDITIONAL) {
      return criteriaToFilter(
        transformer(decision.conditions as ClusterCriteria),
      );
    }
    if (decision.result === AuthorizeResult.ALLOW) return undefined;
    throw new NotAllowedError(`not allowed: ${permission.name}`);
  }

  /**
   * Whether the caller may act for an owner group: create its clusters and
   * manage its credentials. True when it could update a cluster that owner
   * owns (admins: any owner; members: their groups).
   */
  async mayActFor(
    owner: string,
    credentials: BackstageCredentials,
  ): Promise<boolean> {
    const decision = await this.conditional(
      clusterUpdatePermission,
      credentials,
    );
    if (decision.result === AuthorizeResult.ALLOW) return true;
    if (decision.result === AuthorizeResult.DENY) return false;
    return authorizer(decision, { owner } as ClusterRecord);
  }

  /**
   * The user's entity ref when the caller is a user allowed
   * `namespace.create` on every cluster, not only on its groups' (an admin
   * in the portal's policy): who may take over an existing namespace.
   * Undefined for members and for other plugins.
   */
  async namespaceAdmin(
    credentials: BackstageCredentials,
  ): Promise<string | undefined> {
    const principal = credentials.principal as {
      type: string;
      userEntityRef?: string;
    };
    if (principal.type !== 'user' || !principal.userEntityRef) {
      return undefined;
    }
    const decision = await this.conditional(
      namespaceCreatePermission,
      credentials,
    );
    return decision.result === AuthorizeResult.ALLOW
      ? principal.userEntityRef
      : undefined;
  }

  async requireActFor(
    owner: string,
    credentials: BackstageCredentials,
  ): Promise<void> {
    if (!(await this.mayActFor(owner, credentials))) {
      throw new NotAllowedError(
        `not allowed to act for ${owner}: you are not a member of it`,
      );
    }
  }
}

/** Folds transformed criteria into a store filter (owner sets). */
function criteriaToFilter(
  criteria: PermissionCriteria<ClusterFilter>,
): ClusterFilter {
  if ('allOf' in criteria) {
    return criteria.allOf.map(criteriaToFilter).reduce((a, b) => ({
      ownerIn:
        a.ownerIn && b.ownerIn
          ? a.ownerIn.filter(o => b.ownerIn!.includes(o))
          : a.ownerIn ?? b.ownerIn,
    }));
  }
  if ('anyOf' in criteria) {
    const parts = criteria.anyOf.map(criteriaToFilter);
    if (parts.some(p => !p.ownerIn)) return {};
    return { ownerIn: [...new Set(parts.flatMap(p => p.ownerIn!))] };
  }
  if ('not' in criteria) {
    // No rule of ours negates to a store query: deny rather than over-share.
    return { ownerIn: [] };
  }
  return criteria;
}
