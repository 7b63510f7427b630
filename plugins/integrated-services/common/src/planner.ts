import { SemVer } from 'semver';
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

/** Each version's place in semantic version order (0 = oldest); parsed once. */
function rankVersions(names: Iterable<string>): Map<string, number> {
  const parsed = [...new Set(names)].map(name => ({
    name,
    semver: new SemVer(name),
  }));
  parsed.sort((a, b) => a.semver.compare(b.semver));
  return new Map(parsed.map(({ name }, i) => [name, i]));
}

/** Versions newest first. */
export function sortedVersions(definition: Definition): ServiceVersion[] {
  const rank = rankVersions(definition.spec.versions.map(v => v.version));
  return [...definition.spec.versions].sort(
    (a, b) => rank.get(b.version)! - rank.get(a.version)!,
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

/** One breadth-first search from a version over upgraders or downgraders. */
class Search {
  private readonly parent = new Map<string, VersionEdge>();
  private readonly traced = new Map<
    string,
    { path: string[]; steps: PlannedStep[] }
  >();
  private reachedCache?: string[];

  /**
   * The first path found to each version has the fewest edges. Neighbours are
   * visited nearest version first (then in definition order), so ties always
   * break the same way whatever the order edges are listed in.
   */
  constructor(
    readonly from: string,
    readonly edges: VersionEdge[],
    readonly upward: boolean,
    private readonly rank: Map<string, number>,
  ) {
    const out = new Map<string, VersionEdge[]>();
    for (const edge of edges) {
      const list = out.get(edge.from) ?? [];
      list.push(edge);
      out.set(edge.from, list);
    }
    const sign = upward ? 1 : -1;
    const order = (v: string) => sign * (rank.get(v) ?? Infinity);
    for (const list of out.values()) {
      list.sort((a, b) => order(a.to) - order(b.to));
    }
    const queue = [from];
    const visited = new Set([from]);
    for (let head = 0; head < queue.length; head++) {
      for (const edge of out.get(queue[head]) ?? []) {
        if (visited.has(edge.to)) continue;
        visited.add(edge.to);
        this.parent.set(edge.to, edge);
        queue.push(edge.to);
      }
    }
    this.traced.set(from, { path: [from], steps: [] });
  }

  reaches(version: string): boolean {
    return this.parent.has(version);
  }

  /** Reached versions, nearest first. */
  reached(): string[] {
    const sign = this.upward ? 1 : -1;
    this.reachedCache ??= [...this.parent.keys()].sort(
      (a, b) => sign * (this.rank.get(a)! - this.rank.get(b)!),
    );
    return this.reachedCache;
  }

  /** Path and steps to a reached version, built on its parent's (each computed once). */
  trace(to: string): PlannedTarget {
    const pending: string[] = [];
    for (let at = to; !this.traced.has(at); at = this.parent.get(at)!.from) {
      pending.push(at);
    }
    for (let i = pending.length - 1; i >= 0; i--) {
      const edge = this.parent.get(pending[i])!;
      const before = this.traced.get(edge.from)!;
      this.traced.set(pending[i], {
        path: [...before.path, edge.to],
        steps: before.steps.concat(
          edge.steps.map(step => ({ ...step, from: edge.from, to: edge.to })),
        ),
      });
    }
    const { path, steps } = this.traced.get(to)!;
    return {
      version: to,
      direction: this.upward ? 'upgrade' : 'downgrade',
      path,
      steps,
    };
  }
}

function listed(versions: string[]): string {
  const shown = versions.slice(0, 5).join(', ');
  return versions.length > 5
    ? `${shown} and ${versions.length - 5} more`
    : shown;
}

function unreachableReason(found: Search, to: string): string {
  const { from, upward, edges } = found;
  const kind = upward ? 'upgrader' : 'downgrader';
  const reached = found.reached();
  const into = edges.filter(edge => edge.to === to).map(edge => edge.from);
  const start =
    reached.length === 0
      ? `no ${kind} starts at ${from}`
      : `${kind}s from ${from} reach only ${listed(reached)}`;
  const end =
    into.length === 0
      ? `no ${kind} leads to ${to}`
      : `${to} is entered only from ${listed(into)}`;
  return `no chain of ${kind}s leads from ${from} to ${to}: ${start}; ${end}`;
}

/**
 * Every version reachable from the installed one, each with its shortest path and
 * the steps to walk, and every other version with why it cannot be reached.
 * Newer versions are reached through upgraders, older ones through downgraders.
 * Targets sharing a path prefix share the step objects of that prefix: treat the
 * plan as read-only.
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
  const rank = rankVersions(definition.spec.versions.map(v => v.version));
  const up = new Search(fromVersion, definition.spec.upgraders, true, rank);
  const down = new Search(
    fromVersion,
    definition.spec.downgraders,
    false,
    rank,
  );
  const targets: PlannedTarget[] = [];
  const unreachable: UnreachableTarget[] = [];
  for (const { version } of others) {
    const found = rank.get(version)! > rank.get(fromVersion)! ? up : down;
    if (found.reaches(version)) {
      targets.push(found.trace(version));
    } else {
      unreachable.push({ version, reason: unreachableReason(found, version) });
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
  const rank = rankVersions(definition.spec.versions.map(v => v.version));
  const upward = rank.get(to)! > rank.get(from)!;
  const edges = upward
    ? definition.spec.upgraders
    : definition.spec.downgraders;
  const found = new Search(from, edges, upward, rank);
  if (found.reaches(to)) {
    return { reachable: true, target: found.trace(to) };
  }
  return {
    reachable: false,
    unreachable: { version: to, reason: unreachableReason(found, to) },
  };
}
