/*
 * Who calls: the five callers of every row, and the plugins that stand in
 * for other backend plugins on the service-to-service routes.
 */
import { mockCredentials } from '@backstage/backend-test-utils';

export const GROUPS = {
  payments: 'group:default/payments',
  marketing: 'group:default/marketing',
  platform: 'group:default/platform',
} as const;

export const USERS = {
  /** A payments member: payments owns every resource the rows touch. */
  owner: 'user:default/bob',
  /** A marketing member: another team. */
  other: 'user:default/carol',
  /** A platform member: platform holds the admin role. */
  admin: 'user:default/alice',
} as const;

/** Ownership refs of each user, as the user info service gives them. */
export const OWNERSHIP: Record<string, string[]> = {
  [USERS.owner]: [USERS.owner, GROUPS.payments],
  [USERS.other]: [USERS.other, GROUPS.marketing],
  [USERS.admin]: [USERS.admin, GROUPS.platform],
};

/** The five callers every row states an answer for. */
export const CALLERS = [
  'owner',
  'other',
  'admin',
  'anonymous',
  'plugin',
] as const;
export type Caller = (typeof CALLERS)[number];

/**
 * The unrelated plugin of the `plugin` column: the catalog's service
 * principal calling the portal's plugins. It is on one list only
 * (`serviceAccess.clusterCertificateAuthority`: a cluster's CA, never its
 * credential).
 */
export const UNRELATED_PLUGIN = 'catalog';

/**
 * A caller of a row: one of the five, or another plugin's service principal
 * (`plugin:<id>`), for the routes that answer only the plugins on a list.
 */
export type CallerName = Caller | `plugin:${string}`;

/** The plugin a path is served by: `/api/<pluginId>/...`. */
export function pluginOf(path: string): string {
  const match = /^\/api\/([^/]+)\//.exec(path);
  if (!match) throw new Error(`${path} is not under /api/<plugin>/`);
  return match[1];
}

/** The service principal's subject of a plugin caller, else undefined. */
function servicePrincipal(caller: CallerName): string | undefined {
  if (caller === 'plugin') return `plugin:${UNRELATED_PLUGIN}`;
  return caller.startsWith('plugin:') ? caller : undefined;
}

/** The Authorization header of a caller for a target plugin; none for anonymous. */
export function authorization(
  caller: CallerName,
  targetPluginId: string,
): string | undefined {
  if (caller === 'anonymous') return undefined;
  const subject = servicePrincipal(caller);
  if (subject) {
    return mockCredentials.service.header({
      onBehalfOf: mockCredentials.service(subject),
      targetPluginId,
    });
  }
  return mockCredentials.user.header(USERS[caller as keyof typeof USERS]);
}
