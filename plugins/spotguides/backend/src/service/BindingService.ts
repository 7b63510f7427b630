import type {
  AuthService,
  BackstageCredentials,
  BackstageUserPrincipal,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  CompoundEntityRef,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import type { ScmIntegrationRegistry } from '@backstage/integration';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { spotguidesRepositoryBindPermission } from '@pipeline-portal/plugin-spotguides-common';
import {
  ComponentTarget,
  registeredFrom,
  SLUG_ANNOTATION,
  toTarget,
} from '../engine/ComponentDirectory';
import { TransientError } from '../engine/errors';
import { Binding, BindingStore } from '../store';
import { NamespaceGuard } from '../trust/NamespaceGuard';
import { AccessScope } from './AccessScope';

export interface BindRequest {
  /** `owner/name`. */
  repository: string;
  /** The component, e.g. `component:default/shop` or `shop`. */
  entityRef: string;
  /**
   * The owner group the runs belong to. Required while the component is not
   * in the catalog yet (a spotguide binds before it registers); otherwise it
   * must be the component's owner.
   */
  owner?: string;
  /** Where the component's runs will go, checked now when given. */
  target?: { cluster: string; namespace: string };
}

const componentRef = (ref: string, field: string) => {
  let parsed: CompoundEntityRef;
  try {
    parsed = parseEntityRef(ref, { defaultKind: 'component' });
  } catch (error) {
    throw new InputError(`${field}: ${(error as Error).message}`);
  }
  if (parsed.kind.toLowerCase() !== 'component') {
    throw new InputError(`${field}: must be a component, got ${parsed.kind}`);
  }
  return stringifyEntityRef(parsed).toLowerCase();
};

const groupRef = (ref: string, field: string) => {
  try {
    const parsed = parseEntityRef(ref, { defaultKind: 'group' });
    return stringifyEntityRef(parsed).toLowerCase();
  } catch (error) {
    throw new InputError(`${field}: ${(error as Error).message}`);
  }
};

/**
 * Binds repositories to components. A binding decides which component (and
 * so which owner's namespaces) a repository's events run for, so it is made
 * only by a member of that owner (or an admin, through the policy), never
 * takes a repository away from another owner's live binding, and only binds
 * a component the repository itself declares (registered from a file in
 * it) once the catalog holds that component.
 */
export class BindingService {
  constructor(
    private readonly options: {
      bindings: BindingStore;
      catalog: CatalogService;
      auth: AuthService;
      userInfo: UserInfoService;
      integrations: ScmIntegrationRegistry;
      scope: AccessScope;
      namespaces: NamespaceGuard;
    },
  ) {}

  /** The binding, if the caller may read a component claiming the repository. */
  async get(
    repository: string,
    credentials: BackstageCredentials,
  ): Promise<Binding> {
    const readable = await this.options.scope.readableClaimants(
      repository,
      credentials,
    );
    const binding = readable.length
      ? await this.options.bindings.get(repository)
      : undefined;
    if (!binding) {
      throw new NotFoundError(`${repository} is not bound to a component`);
    }
    return binding;
  }

  async bind(
    request: BindRequest,
    credentials: BackstageCredentials<BackstageUserPrincipal>,
  ): Promise<Binding> {
    const repository = request.repository.toLowerCase();
    const entityRef = componentRef(request.entityRef, 'entityRef');
    const entity = await this.component(entityRef);
    let owner: string;
    if (entity) {
      if (entity.slug !== repository) {
        throw new InputError(
          `entityRef: ${entityRef} does not claim ${repository} (its ${SLUG_ANNOTATION} is ${
            entity.slug ?? 'not set'
          })`,
        );
      }
      if (!registeredFrom(entity, repository)) {
        throw new InputError(
          `entityRef: ${entityRef} is registered from ${
            entity.location ?? 'an unknown location'
          }, not from a file in ${repository}`,
        );
      }
      if (!entity.owner) {
        throw new InputError(`entityRef: ${entityRef} has no owner`);
      }
      owner = entity.owner;
      if (request.owner && groupRef(request.owner, 'owner') !== owner) {
        throw new InputError(
          `owner: ${entityRef} is owned by ${owner}, not ${request.owner}`,
        );
      }
      const [allowed] = await this.options.scope.allowedOn(
        spotguidesRepositoryBindPermission,
        [entityRef],
        credentials,
      );
      if (!allowed) {
        throw new NotAllowedError(
          `only the owners of ${entityRef} (${owner}) may bind repositories to it`,
        );
      }
    } else {
      if (!request.owner) {
        throw new InputError(
          `owner: required while ${entityRef} is not in the catalog`,
        );
      }
      owner = groupRef(request.owner, 'owner');
      if (!(await this.isMember(owner, credentials))) {
        throw new NotAllowedError(
          `only members of ${owner} may bind a repository for it`,
        );
      }
    }
    await this.mayReplace(repository, entityRef, owner, credentials);
    if (request.target) await this.checkTarget(request.target, owner);
    return this.options.bindings.put({
      repository,
      entityRef,
      owner,
      boundBy: credentials.principal.userEntityRef,
    });
  }

  /**
   * Whether the caller may manage the repository on the portal's behalf
   * (its webhook to the portal): a member of the owner it is bound for, or
   * whoever holds the bind permission on its component (its owners,
   * admins). An unbound repository is nobody's yet.
   */
  async management(
    repository: string,
    credentials: BackstageCredentials<BackstageUserPrincipal>,
  ): Promise<{ allowed: boolean; reason: string }> {
    const binding = await this.options.bindings.get(repository);
    if (!binding) {
      return {
        allowed: false,
        reason: `${repository.toLowerCase()} is not bound to a component: bind it first (spotguides:repository:bind)`,
      };
    }
    if (await this.isMember(binding.owner, credentials)) {
      return { allowed: true, reason: `a member of ${binding.owner}` };
    }
    const [allowed] = (await this.component(binding.entityRef))
      ? await this.options.scope.allowedOn(
          spotguidesRepositoryBindPermission,
          [binding.entityRef],
          credentials,
        )
      : [];
    return allowed
      ? { allowed: true, reason: `may bind ${binding.entityRef}` }
      : {
          allowed: false,
          reason: `${binding.repository} is bound for ${binding.owner}: only its members or an admin may manage it`,
        };
  }

  async unbind(
    repository: string,
    credentials: BackstageCredentials<BackstageUserPrincipal>,
  ): Promise<void> {
    const existing = await this.options.bindings.get(repository);
    if (!existing) {
      throw new NotFoundError(`${repository} is not bound to a component`);
    }
    if (!(await this.mayChange(existing, credentials))) {
      throw new NotAllowedError(
        `${repository} is bound for ${existing.owner}: only its members or an admin may unbind it`,
      );
    }
    await this.options.bindings.delete(repository);
  }

  /** Refuses to take a repository from another owner's live binding. */
  private async mayReplace(
    repository: string,
    entityRef: string,
    owner: string,
    credentials: BackstageCredentials<BackstageUserPrincipal>,
  ): Promise<void> {
    const existing = await this.options.bindings.get(repository);
    if (!existing) return;
    if (existing.entityRef === entityRef && existing.owner === owner) return;
    if (await this.mayChange(existing, credentials)) return;
    throw new ConflictError(
      `${repository} is bound to ${existing.entityRef} for ${existing.owner}: only its members or an admin may bind it elsewhere`,
    );
  }

  /**
   * A binding may be changed by a member of its owner, by whoever holds the
   * bind permission on its component (its owners, admins), or by anyone once
   * it is dead (its component is gone or no longer declared by the
   * repository).
   */
  private async mayChange(
    existing: Binding,
    credentials: BackstageCredentials<BackstageUserPrincipal>,
  ): Promise<boolean> {
    if (await this.isMember(existing.owner, credentials)) return true;
    const bound = await this.component(existing.entityRef);
    if (
      !bound ||
      bound.slug !== existing.repository ||
      !registeredFrom(bound, existing.repository)
    ) {
      return true;
    }
    const [allowed] = await this.options.scope.allowedOn(
      spotguidesRepositoryBindPermission,
      [existing.entityRef],
      credentials,
    );
    return !!allowed;
  }

  private async checkTarget(
    target: { cluster: string; namespace: string },
    owner: string,
  ): Promise<void> {
    let refusal: string | undefined;
    try {
      refusal = await this.options.namespaces.refusal(
        target.cluster,
        target.namespace,
        owner,
      );
    } catch (error) {
      if (error instanceof TransientError) {
        throw new ServiceUnavailableError(error.message);
      }
      throw error;
    }
    if (refusal) throw new InputError(`target: ${refusal}`);
  }

  private async isMember(
    owner: string,
    credentials: BackstageCredentials<BackstageUserPrincipal>,
  ): Promise<boolean> {
    const { ownershipEntityRefs } = await this.options.userInfo.getUserInfo(
      credentials,
    );
    return ownershipEntityRefs.some(ref => ref.toLowerCase() === owner);
  }

  /** The component as the catalog holds it (read as the plugin). */
  private async component(
    entityRef: string,
  ): Promise<(ComponentTarget & { slug?: string }) | undefined> {
    const entity = await this.options.catalog.getEntityByRef(entityRef, {
      credentials: await this.options.auth.getOwnServiceCredentials(),
    });
    if (!entity || entity.kind.toLowerCase() !== 'component') return undefined;
    return {
      ...toTarget(entity, this.options.integrations),
      slug: entity.metadata.annotations?.[SLUG_ANNOTATION]?.toLowerCase(),
    };
  }
}
