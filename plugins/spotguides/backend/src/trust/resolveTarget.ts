import type { Binding } from '../store';
import { ComponentTarget, registeredFrom } from '../engine/ComponentDirectory';

/** What the portal makes of a repository's claimants and its binding. */
export type Resolution =
  | { kind: 'target'; target: ComponentTarget; binding: Binding }
  /** Nothing runs; the reason goes on the deliveries page and the commit. */
  | { kind: 'refused'; reason: string }
  /** Nothing runs yet: the catalog or the binding may still catch up. */
  | { kind: 'waiting'; reason: string };

const refs = (claimants: ComponentTarget[]) =>
  claimants.map(c => c.entityRef).join(', ');

/**
 * Decides which component a repository's events run for. Catalog entities
 * and their annotations are written by anyone, so a claim alone decides
 * nothing:
 *
 * - the repository must be bound (by a member of the owner, when the
 *   spotguide is scaffolded or on the component's page), which picks one
 *   component among any number of claimants and records the owner it was
 *   bound for;
 * - the bound component must have been registered from a file in the
 *   repository itself (the catalog records where it read each entity), so
 *   only the repository's writers can make it claim the repository;
 * - its owner must still be the owner it was bound for: moving a repository
 *   to another team's namespaces takes a member of that team binding it.
 */
export function resolveTarget(options: {
  repository: string;
  /** The GitHub host the delivery came from, lower case. */
  host?: string;
  claimants: ComponentTarget[];
  binding?: Binding;
}): Resolution {
  const { repository, host, claimants, binding } = options;
  if (!binding) {
    const reason = claimants.length
      ? `${repository} is not bound to a component (claimed by ${refs(
          claimants,
        )}): an owner binds it on the component's page`
      : `no catalog component has github.com/project-slug ${repository}, and the repository is not bound to one`;
    return { kind: 'waiting', reason };
  }
  const bound = claimants.find(c => c.entityRef === binding.entityRef);
  if (!bound) {
    return {
      kind: 'waiting',
      reason: `${repository} is bound to ${binding.entityRef}, which the catalog does not hold with github.com/project-slug ${repository}`,
    };
  }
  if (!registeredFrom(bound, repository, host)) {
    return {
      kind: 'refused',
      reason: `${bound.entityRef} is registered from ${
        bound.location ?? 'an unknown location'
      }, not from a file in ${repository}, so it cannot claim the repository`,
    };
  }
  if (bound.owner !== binding.owner) {
    return {
      kind: 'refused',
      reason: `${bound.entityRef} is owned by ${
        bound.owner ?? 'nobody'
      } but the repository was bound for ${
        binding.owner
      }: a member of the new owner binds it again`,
    };
  }
  return { kind: 'target', target: bound, binding };
}
