import type { AuthService } from '@backstage/backend-plugin-api';
import {
  ANNOTATION_LOCATION,
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import type { ScmIntegrationRegistry } from '@backstage/integration';
import type { CatalogService } from '@backstage/plugin-catalog-node';

export const SLUG_ANNOTATION = 'github.com/project-slug';
export const CLUSTER_ANNOTATION = 'pipeline-portal.io/runtime-cluster';
export const NAMESPACE_ANNOTATION = 'pipeline-portal.io/namespace';
/**
 * `head`: pull request pipelines are read from the pull request's own head
 * commit. Absent (or anything else): from the default branch, so a pull
 * request cannot change what runs for it.
 */
export const PR_PIPELINES_ANNOTATION =
  'pipeline-portal.io/pull-request-pipelines';

/** A GitHub repository a catalog location lies in. */
export interface RepositoryOrigin {
  /** The GitHub host, lower case, e.g. `github.com`. */
  host: string;
  /** `owner/name`, lower case. */
  repository: string;
}

/**
 * A component that claims a repository (its `github.com/project-slug`), and
 * where its runs go. Everything but `origin` comes from annotations anyone
 * may write; `origin` is set by the catalog itself: the file it read the
 * component from.
 */
export interface ComponentTarget {
  entityRef: string;
  /** `spec.owner` as a full entity ref, lower case. */
  owner?: string;
  /** The `backstage.io/kubernetes-id` label value. */
  kubernetesId: string;
  cluster?: string;
  namespace?: string;
  pipelinesFromHead: boolean;
  /** The repository the component was registered from, if a GitHub one. */
  origin?: RepositoryOrigin;
  /** `backstage.io/managed-by-location`, for messages. */
  location?: string;
}

/**
 * The GitHub repository a catalog location (`url:https://host/o/r/blob/...`)
 * lies in, when the host is a configured GitHub integration.
 */
export function originOf(
  location: string | undefined,
  integrations: ScmIntegrationRegistry,
): RepositoryOrigin | undefined {
  if (!location?.startsWith('url:')) return undefined;
  let url: URL;
  try {
    url = new URL(location.slice(4));
  } catch {
    return undefined;
  }
  if (!integrations.github.byHost(url.host)) return undefined;
  const [owner, name] = url.pathname.split('/').filter(Boolean);
  if (!owner || !name) return undefined;
  return {
    host: url.host.toLowerCase(),
    repository: `${owner}/${name.replace(/\.git$/, '')}`.toLowerCase(),
  };
}

/**
 * True when the catalog read the component from a file in the repository
 * itself: only the repository's writers can make such a claim.
 */
export function registeredFrom(
  target: ComponentTarget,
  repository: string,
  host?: string,
): boolean {
  const origin = target.origin;
  return (
    !!origin &&
    origin.repository === repository.toLowerCase() &&
    (!host || origin.host === host.toLowerCase())
  );
}

function ownerRef(owner: unknown): string | undefined {
  if (typeof owner !== 'string' || !owner) return undefined;
  try {
    return stringifyEntityRef(
      parseEntityRef(owner, {
        defaultKind: 'group',
        defaultNamespace: 'default',
      }),
    ).toLowerCase();
  } catch {
    return undefined;
  }
}

export function toTarget(
  entity: Entity,
  integrations: ScmIntegrationRegistry,
): ComponentTarget {
  const a = entity.metadata.annotations ?? {};
  const location = a[ANNOTATION_LOCATION];
  return {
    entityRef: stringifyEntityRef(entity).toLowerCase(),
    owner: ownerRef(entity.spec?.owner),
    kubernetesId: a['backstage.io/kubernetes-id'] ?? entity.metadata.name,
    cluster: a[CLUSTER_ANNOTATION],
    namespace:
      a[NAMESPACE_ANNOTATION] ?? a['backstage.io/kubernetes-namespace'],
    pipelinesFromHead: a[PR_PIPELINES_ANNOTATION] === 'head',
    origin: originOf(location, integrations),
    location,
  };
}

/** Every component whose `github.com/project-slug` is the repository, by ref. */
export async function findClaimants(
  catalog: CatalogService,
  auth: AuthService,
  integrations: ScmIntegrationRegistry,
  repository: string,
): Promise<ComponentTarget[]> {
  const { items } = await catalog.getEntities(
    {
      filter: {
        kind: 'Component',
        [`metadata.annotations.${SLUG_ANNOTATION}`]: repository,
      },
    },
    { credentials: await auth.getOwnServiceCredentials() },
  );
  return items
    .filter(
      e =>
        e.metadata.annotations?.[SLUG_ANNOTATION]?.toLowerCase() ===
        repository.toLowerCase(),
    )
    .map(e => toTarget(e, integrations))
    .sort((a, b) => a.entityRef.localeCompare(b.entityRef));
}

/**
 * `findClaimants` with the answers remembered for a short while: every
 * delivery of a repository needs its components, and asking the catalog each
 * time (a signed request, a search query, a compressed answer) cost more than
 * the rest of a push's processing. Concurrent lookups share one request; a
 * repository no component claims is asked again each time, so a component
 * the catalog has just registered is found at once.
 */
export class ComponentDirectory {
  private readonly known = new Map<
    string,
    { at: number; claimants: Promise<ComponentTarget[]> }
  >();

  constructor(
    private readonly options: {
      catalog: CatalogService;
      auth: AuthService;
      integrations: ScmIntegrationRegistry;
      /** How long found components are reused. @default 15000 */
      ttlMs?: number;
    },
  ) {}

  claimants(repository: string): Promise<ComponentTarget[]> {
    const key = repository.toLowerCase();
    const ttl = this.options.ttlMs ?? 15_000;
    const hit = this.known.get(key);
    if (hit && Date.now() - hit.at < ttl) return hit.claimants;
    const claimants = findClaimants(
      this.options.catalog,
      this.options.auth,
      this.options.integrations,
      repository,
    );
    this.known.set(key, { at: Date.now(), claimants });
    const forget = () => {
      if (this.known.get(key)?.claimants === claimants) this.known.delete(key);
    };
    claimants.then(found => {
      if (!found.length) forget();
    }, forget);
    if (this.known.size > 10_000) {
      this.known.delete(this.known.keys().next().value!);
    }
    return claimants;
  }
}
