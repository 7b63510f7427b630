import type { IntegratedServiceSpec } from '@pipeline-portal/plugin-integrated-services-common';
import { compareVersions } from '../util';

export interface GraphNode {
  version: string;
  x: number;
  y: number;
}

export interface GraphEdge {
  from: string;
  to: string;
  kind: 'upgrade' | 'downgrade';
  /** SVG path data. */
  d: string;
  /** Where the label or arrow sits: the curve's middle. */
  mid: { x: number; y: number };
}

export interface GraphLayout {
  width: number;
  height: number;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export const NODE_RADIUS = 22;
const GAP = 120;
const MARGIN = 50;
const BEND = 34;

/**
 * Versions left to right, oldest first, on one line; upgraders arc above it
 * and downgraders below, higher the more versions they skip, so no edge hides
 * another between the same two versions.
 */
export function layoutGraph(
  spec: Pick<IntegratedServiceSpec, 'versions' | 'upgraders' | 'downgraders'>,
): GraphLayout {
  const versions = spec.versions.map(v => v.version).sort(compareVersions);
  const index = new Map(versions.map((v, i) => [v, i]));
  const reach = Math.max(
    1,
    ...[...spec.upgraders, ...spec.downgraders].map(e =>
      Math.abs((index.get(e.to) ?? 0) - (index.get(e.from) ?? 0)),
    ),
  );
  const lineY = MARGIN + BEND * reach;
  const nodes = versions.map((version, i) => ({
    version,
    x: MARGIN + i * GAP,
    y: lineY,
  }));
  const edge = (
    e: { from: string; to: string },
    kind: GraphEdge['kind'],
  ): GraphEdge[] => {
    const a = index.get(e.from);
    const b = index.get(e.to);
    if (a === undefined || b === undefined || a === b) return [];
    const from = nodes[a];
    const to = nodes[b];
    const sign = kind === 'upgrade' ? -1 : 1;
    const lift = sign * BEND * Math.abs(b - a) * 1.6;
    const dir = Math.sign(to.x - from.x);
    const x1 = from.x + dir * NODE_RADIUS * 0.7;
    const x2 = to.x - dir * NODE_RADIUS * 0.7;
    const y1 = from.y + sign * NODE_RADIUS * 0.7;
    const y2 = to.y + sign * NODE_RADIUS * 0.7;
    const cx = (x1 + x2) / 2;
    const cy = lineY + lift;
    return [
      {
        from: e.from,
        to: e.to,
        kind,
        d: `M ${x1} ${y1} Q ${cx} ${cy} ${x2} ${y2}`,
        mid: { x: cx, y: (y1 + 2 * cy + y2) / 4 },
      },
    ];
  };
  const edges = [
    ...spec.upgraders.flatMap(e => edge(e, 'upgrade')),
    ...spec.downgraders.flatMap(e => edge(e, 'downgrade')),
  ];
  return {
    width: MARGIN * 2 + Math.max(0, versions.length - 1) * GAP,
    height: lineY * 2,
    nodes,
    edges,
  };
}

/** The edges `from -> to` a path walks, as `from->to` keys. */
export function pathEdges(path: string[]): Set<string> {
  const keys = new Set<string>();
  for (let i = 1; i < path.length; i++) {
    keys.add(`${path[i - 1]}->${path[i]}`);
  }
  return keys;
}
