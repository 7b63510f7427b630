import type { AuthService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
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

/** Where a repository's runs go, from its catalog component. */
export interface ComponentTarget {
  entityRef: string;
  /** The `backstage.io/kubernetes-id` label value. */
  kubernetesId: string;
  cluster?: string;
  namespace?: string;
  pipelinesFromHead: boolean;
}

/** Finds the component whose `github.com/project-slug` is the repository. */
export async function findComponent(
  catalog: CatalogService,
  auth: AuthService,
  repository: string,
): Promise<ComponentTarget | undefined> {
  const { items } = await catalog.getEntities(
    {
      filter: {
        kind: 'Component',
        [`metadata.annotations.${SLUG_ANNOTATION}`]: repository,
      },
    },
    { credentials: await auth.getOwnServiceCredentials() },
  );
  const entity: Entity | undefined = items
    .filter(
      e =>
        e.metadata.annotations?.[SLUG_ANNOTATION]?.toLowerCase() ===
        repository.toLowerCase(),
    )
    .sort((a, b) =>
      stringifyEntityRef(a).localeCompare(stringifyEntityRef(b)),
    )[0];
  if (!entity) return undefined;
  const a = entity.metadata.annotations ?? {};
  return {
    entityRef: stringifyEntityRef(entity).toLowerCase(),
    kubernetesId: a['backstage.io/kubernetes-id'] ?? entity.metadata.name,
    cluster: a[CLUSTER_ANNOTATION],
    namespace:
      a[NAMESPACE_ANNOTATION] ?? a['backstage.io/kubernetes-namespace'],
    pipelinesFromHead: a[PR_PIPELINES_ANNOTATION] === 'head',
  };
}

/**
 * `findComponent` with the answers remembered for a short while: every
 * delivery of a repository needs its component, and asking the catalog each
 * time (a signed request, a search query, a compressed answer) cost more than
 * the rest of a push's processing. Concurrent lookups share one request; a
 * repository with no component is asked again each time, so a component the
 * catalog has just registered is found at once.
 */
export class ComponentDirectory {
  private readonly known = new Map<
    string,
    { at: number; target: Promise<ComponentTarget | undefined> }
  >();

  constructor(
    private readonly options: {
      catalog: CatalogService;
      auth: AuthService;
      /** How long a found component is reused. @default 15000 */
      ttlMs?: number;
    },
  ) {}

  find(repository: string): Promise<ComponentTarget | undefined> {
    const key = repository.toLowerCase();
    const ttl = this.options.ttlMs ?? 15_000;
    const hit = this.known.get(key);
    if (hit && Date.now() - hit.at < ttl) return hit.target;
    const target = findComponent(
      this.options.catalog,
      this.options.auth,
      repository,
    );
    this.known.set(key, { at: Date.now(), target });
    const forget = () => {
      if (this.known.get(key)?.target === target) this.known.delete(key);
    };
    target.then(t => {
      if (!t) forget();
    }, forget);
    if (this.known.size > 10_000) {
      this.known.delete(this.known.keys().next().value!);
    }
    return target;
  }
}
