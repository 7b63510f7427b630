import { Config } from '@backstage/config';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';

/** The roles the portal knows. Admins may do anything; members what the policy grants. */
export type Role = 'admin' | 'member';

/**
 * Maps a caller's ownership refs (the user and the groups it belongs to) to a role,
 * from `pipelinePortal.permission.admins` in config.
 */
export class RoleAssignments {
  static fromConfig(config: Config): RoleAssignments {
    const key = 'pipelinePortal.permission.admins';
    const refs = config.getOptionalStringArray(key) ?? [];
    const normalized = refs.map((ref, index) => {
      try {
        return stringifyEntityRef(parseEntityRef(ref));
      } catch (error) {
        throw new Error(
          `Invalid entity ref '${ref}' at ${key}[${index}]: ${
            (error as Error).message
          }`,
        );
      }
    });
    return new RoleAssignments(new Set(normalized));
  }

  private constructor(private readonly admins: ReadonlySet<string>) {}

  roleOf(ownershipEntityRefs: readonly string[]): Role {
    return ownershipEntityRefs.some(ref => this.admins.has(ref.toLowerCase()))
      ? 'admin'
      : 'member';
  }
}
