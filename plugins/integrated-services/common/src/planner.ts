import { compare, rcompare } from 'semver';
import {
  IntegratedServiceEntity,
  PlannedStep,
  PlannedTarget,
  ServiceVersion,
  TargetPlan,
  UnreachableTarget,
  VersionEdge,
} from './types';

type Definition = Pick<IntegratedServiceEntity, 'metadata' | 'spec'>;

/** Versions newest first. */
export function sortedVersions(definition: Definition): ServiceVersion[] {
  return [...definition.spec.versions].sort((a, b) =>
    rcompare(a.version, b.version),
  );
}

/** The newest version that is not deprecated (or the newest of all when every one is). */
export function newestVersion(definition: Definition): ServiceVersion {
  const sorted = sortedVersions(definition);
  return sorted.find(v => !v.deprecated) ?? sorted[0];
}

/** A version by its name; an empty or missing name is the newest offered. */
export function findVersion(
  definition: Definition,
  version?: string,
): ServiceVersion | undefined {
  if (!version) return newestVersion(definition);
  return definition.spec.versions.find(v => v.version === version);
}

interface Search {
  parent: Map<string, VersionEdge>;
  /** Reached versions, nearest first; filled when a reason needs it. */
  reached?: string[];
}

/**
 * Breadth-first search from `from` over one kind of edge: the first path found to
 * each version has the fewest edges. Neighbours are visited nearest version first
 * (then in definition order), so ties always break the same way.
 */
function search(from: string, edges: VersionEdge[], upward: boolean): Search {
  const out = new Map<string, VersionEdge[]>();
  for (const edge of edges) {
    const list = out.get(edge.from) ?? [];
    list.push(edge);
    out.set(edge.from, list);
  }
  for (const list of out.values()) {
    list.sort((a, b) => (upward ? compare(a.to, b.to) : rcompare(a.to, b.to)));
  }
  const parent = new Map<string, VersionEdge>();
  const queue = [from];
  const visited = new Set([from]);
  for (let head = 0; head < queue.length; head++) {
    for (const edge of out.get(queue[head]) ?? []) {
      if (visited.has(edge.to)) continue;
      visited.add(edge.to);
      parent.set(edge.to, edge);
      queue.push(edge.to);
    }
  }
  return { parent };
}

function trace(
  found: Search,
  from: string,
  to: string,
  upward: boolean,
): PlannedTarget {
  const edges: VersionEdge[] = [];
  for (let at = to; at !== from; ) {
    const edge = found.parent.get(at)!;
    edges.unshift(edge);
    at = edge.from;
  }
  const steps: PlannedStep[] = edges.flatMap(edge =>
    edge.steps.map(step => ({ ...step, from: edge.from, to: edge.to })),
  );
  return {
    version: to,
    direction: upward ? 'upgrade' : 'downgrade',
    path: [from, ...edges.map(edge => edge.to)],
    steps,
  };
}

function listed(versions: string[]): string {
  const shown = versions.slice(0, 5).join(', ');
  return versions.length > 5
    ? `${shown} and ${versions.length - 5} more`
    : shown;
}

function unreachableReason(
  definition: Definition,
  found: Search,
  from: string,
  to: string,
  upward: boolean,
): string {
  const kind = upward ? 'upgrader' : 'downgrader';
  found.reached ??= [...found.parent.keys()].sort(upward ? compare : rcompare);
  const reached = found.reached;
  const edges = upward
    ? definition.spec.upgraders
    : definition.spec.downgraders;
  const into = edges.filter(edge => edge.to === to).map(edge => edge.from);
  const start =
    reached.length === 0
      ? `no ${kind} starts at ${from}`
      : `${kind}s from ${from} reach only ${listed(reached)}`;
  const end =
    into.length === 0
      ? `no ${kind} leads to ${to}`
      : `${to} is entered only from ${listed(into.sort(compare))}`;
  return `no chain of ${kind}s leads from ${from} to ${to}: ${start}; ${end}`;
}

/**
 * Every version reachable from the installed one, each with its shortest path and
 * the steps to walk, and every other version with why it cannot be reached.
 * Newer versions are reached through upgraders, older ones through downgraders.
 */
export function planTargets(
  definition: Definition,
  fromVersion: string,
): TargetPlan {
  const name = definition.metadata.name;
  const others = sortedVersions(definition).filter(
    v => v.version !== fromVersion,
  );
  if (others.length === definition.spec.versions.length) {
    return {
      targets: [],
      unreachable: others.map(v => ({
        version: v.version,
        reason: `the installed version ${fromVersion} is not a version of ${name}, so no path starts from it`,
      })),
    };
  }
  const up = search(fromVersion, definition.spec.upgraders, true);
  const down = search(fromVersion, definition.spec.downgraders, false);
  const targets: PlannedTarget[] = [];
  const unreachable: UnreachableTarget[] = [];
  for (const { version } of others) {
    const upward = compare(version, fromVersion) > 0;
    const found = upward ? up : down;
    if (found.parent.has(version)) {
      targets.push(trace(found, fromVersion, version, upward));
    } else {
      unreachable.push({
        version,
        reason: unreachableReason(
          definition,
          found,
          fromVersion,
          version,
          upward,
        ),
      });
    }
  }
  return { targets, unreachable };
}

export type PathPlan =
  | { reachable: true; target: PlannedTarget }
  | { reachable: false; unreachable: UnreachableTarget };

/** The shortest way from one version to another (no steps when they are the same). */
export function planPath(
  definition: Definition,
  from: string,
  to: string,
): PathPlan {
  const name = definition.metadata.name;
  for (const version of [from, to]) {
    if (!definition.spec.versions.some(v => v.version === version)) {
      return {
        reachable: false,
        unreachable: {
          version: to,
          reason: `${version} is not a version of ${name}`,
        },
      };
    }
  }
  if (from === to) {
    return {
      reachable: true,
      target: { version: to, direction: 'none', path: [from], steps: [] },
    };
  }
  const upward = compare(to, from) > 0;
  const edges = upward
    ? definition.spec.upgraders
    : definition.spec.downgraders;
  const found = search(from, edges, upward);
  if (found.parent.has(to)) {
    return { reachable: true, target: trace(found, from, to, upward) };
  }
  return {
    reachable: false,
    unreachable: {
      version: to,
      reason: unreachableReason(definition, found, from, to, upward),
    },
  };
}
