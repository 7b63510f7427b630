import { CallerName } from '../callers';
import { Call, Expected, World } from '../types';

/** Reads: every member, the admin and other plugins; no token, 401. */
export const READERS: Expected = {
  owner: 200,
  other: 200,
  admin: 200,
  anonymous: 401,
  plugin: 200,
};

/** `/health`: open to all, for probes. */
export const OPEN: Expected = {
  owner: 200,
  other: 200,
  admin: 200,
  anonymous: 200,
  plugin: 200,
};

/**
 * A write on the owner's resource (or the owner's credentials): its members
 * and the admin; another team's member 403; another plugin on its own
 * behalf 403, since changes are made for a person.
 */
export const writers = (status: number): Expected => ({
  owner: status,
  other: 403,
  admin: status,
  anonymous: 401,
  plugin: 403,
});

/** A name part per caller, for the resources a caller creates or deletes. */
export const slug = (caller: CallerName) => caller.replace(/[^a-z0-9]+/g, '-');

export const get = (path: string, query?: Record<string, string>): Call => ({
  method: 'GET',
  path,
  ...(query ? { query } : {}),
});

/** The names in an answer's `items`. */
export const itemNames = (body: { items?: Array<{ name?: string }> }) =>
  (body.items ?? []).map(i => i.name);

/** Names of the namespaces on the `dev` double. */
export const namespacesOnDev = (w: World) =>
  w.kube
    .list('v1', 'Namespace')
    .map(n => n.metadata!.name!)
    .sort();
