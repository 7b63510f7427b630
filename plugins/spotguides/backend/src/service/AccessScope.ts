import type {
  AuthService,
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import type { ScmIntegrationRegistry } from '@backstage/integration';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AuthorizeResult,
  BasicPermission,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import { spotguidesUnclaimedDeliveryReadPermission } from '@pipeline-portal/plugin-spotguides-common';
import {
  ComponentTarget,
  SLUG_ANNOTATION,
  toTarget,
} from '../engine/ComponentDirectory';

/** Components a caller may list at once; more is refused rather than truncated. */
const MAX_COMPONENTS = 10_000;

/**
 * What a caller may see of spotguides: the components the catalog shows
 * them (the catalog applies its own read permission to the caller's
 * credentials), narrowed by a spotguides permission on each.
 */
export class AccessScope {
  constructor(
    private readonly options: {
      catalog: CatalogService;
      auth: AuthService;
      permissions: PermissionsService;
      integrations: ScmIntegrationRegistry;
    },
  ) {}

  /** The components claiming a repository that the caller may read. */
  async readableClaimants(
    repository: string,
    credentials: BackstageCredentials,
  ): Promise<ComponentTarget[]> {
    const { items } = await this.options.catalog.getEntities(
      {
        filter: {
          kind: 'Component',
          [`metadata.annotations.${SLUG_ANNOTATION}`]: repository,
        },
      },
      { credentials },
    );
    return items
      .filter(
        e =>
          e.metadata.annotations?.[SLUG_ANNOTATION]?.toLowerCase() ===
          repository.toLowerCase(),
      )
      .map(e => toTarget(e, this.options.integrations));
  }

  /** Repositories (lower case) of every component the caller may read. */
  async readableRepositories(
    credentials: BackstageCredentials,
  ): Promise<Map<string, string[]>> {
    const { items } = await this.options.catalog.getEntities(
      {
        filter: {
          kind: 'Component',
          [`metadata.annotations.${SLUG_ANNOTATION}`]: CATALOG_FILTER_EXISTS,
        },
        fields: [
          'kind',
          'metadata.name',
          'metadata.namespace',
          `metadata.annotations.${SLUG_ANNOTATION}`,
        ],
        limit: MAX_COMPONENTS,
      },
      { credentials },
    );
    const byRepository = new Map<string, string[]>();
    for (const e of items) {
      const slug = e.metadata.annotations?.[SLUG_ANNOTATION]?.toLowerCase();
      if (!slug) continue;
      const ref = `component:${e.metadata.namespace ?? 'default'}/${
        e.metadata.name
      }`.toLowerCase();
      byRepository.set(slug, [...(byRepository.get(slug) ?? []), ref]);
    }
    return byRepository;
  }

  /** True when the catalog shows the entity to the caller. */
  async readable(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<boolean> {
    return !!(await this.options.catalog.getEntityByRef(entityRef, {
      credentials,
    }));
  }

  /** The refs among `entityRefs` on which the caller holds `permission`. */
  async allowedOn(
    permission: ResourcePermission<'catalog-entity'>,
    entityRefs: string[],
    credentials: BackstageCredentials,
  ): Promise<string[]> {
    if (!entityRefs.length) return [];
    const decisions = await this.options.permissions.authorize(
      entityRefs.map(resourceRef => ({ permission, resourceRef })),
      { credentials },
    );
    return entityRefs.filter(
      (_, i) => decisions[i].result === AuthorizeResult.ALLOW,
    );
  }

  async holds(
    permission: BasicPermission,
    credentials: BackstageCredentials,
  ): Promise<boolean> {
    const [decision] = await this.options.permissions.authorize(
      [{ permission }],
      { credentials },
    );
    return decision.result === AuthorizeResult.ALLOW;
  }

  /** True when the caller may read deliveries no readable component claims. */
  seesUnclaimed(credentials: BackstageCredentials): Promise<boolean> {
    return this.holds(spotguidesUnclaimedDeliveryReadPermission, credentials);
  }
}
