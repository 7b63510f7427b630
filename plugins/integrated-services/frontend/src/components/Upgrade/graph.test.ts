import { layoutGraph, pathEdges } from './graph';

const v = (version: string) => ({ version } as any);

describe('layoutGraph', () => {
  const spec = {
    versions: [v('1.10.0'), v('1.9.0'), v('2.0.0')],
    upgraders: [
      { from: '1.9.0', to: '1.10.0', steps: [] },
      { from: '1.9.0', to: '2.0.0', steps: [] },
    ],
    downgraders: [{ from: '1.10.0', to: '1.9.0', steps: [] }],
  };

  it('places versions oldest first, numerically', () => {
    const layout = layoutGraph(spec);
    expect(layout.nodes.map(n => n.version)).toEqual([
      '1.9.0',
      '1.10.0',
      '2.0.0',
    ]);
    expect(layout.nodes[0].x).toBeLessThan(layout.nodes[1].x);
  });

  it('arcs upgraders above the line and downgraders below, longer skips higher', () => {
    const { nodes, edges } = layoutGraph(spec);
    const lineY = nodes[0].y;
    const byKey = new Map(edges.map(e => [`${e.from}->${e.to}`, e]));
    expect(byKey.get('1.9.0->1.10.0')!.mid.y).toBeLessThan(lineY);
    expect(byKey.get('1.10.0->1.9.0')!.mid.y).toBeGreaterThan(lineY);
    expect(byKey.get('1.9.0->2.0.0')!.mid.y).toBeLessThan(
      byKey.get('1.9.0->1.10.0')!.mid.y,
    );
    // Everything fits in the picture.
    for (const e of edges) {
      expect(e.mid.y).toBeGreaterThan(0);
    }
  });

  it('ignores edges to versions the service does not have', () => {
    const { edges } = layoutGraph({
      ...spec,
      upgraders: [{ from: '1.9.0', to: '3.0.0', steps: [] }],
      downgraders: [],
    });
    expect(edges).toEqual([]);
  });
});

describe('pathEdges', () => {
  it('lists the edges a path walks', () => {
    expect([...pathEdges(['a', 'b', 'c'])]).toEqual(['a->b', 'b->c']);
    expect(pathEdges(['a']).size).toBe(0);
  });
});
