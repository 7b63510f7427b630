import { useTheme } from '@material-ui/core/styles';
import type { IntegratedServiceSpec } from '@pipeline-portal/plugin-integrated-services-common';
import { useMemo } from 'react';
import { layoutGraph, NODE_RADIUS, pathEdges } from './graph';

/**
 * The service's version graph as a picture: versions as nodes, upgraders
 * (above) and downgraders (below) as arrows, the installed version ringed
 * and the chosen path drawn bold. Reachable versions can be clicked.
 */
export function VersionGraph(props: {
  spec: Pick<IntegratedServiceSpec, 'versions' | 'upgraders' | 'downgraders'>;
  installed?: string;
  /** The chosen target's path, [installed, ..., target]. */
  path: string[];
  reachable: Set<string>;
  onSelect?: (version: string) => void;
}) {
  const theme = useTheme();
  const layout = useMemo(() => layoutGraph(props.spec), [props.spec]);
  const onPath = pathEdges(props.path);
  const target =
    props.path.length > 1 ? props.path[props.path.length - 1] : undefined;
  const highlight = theme.palette.primary.main;
  const muted = theme.palette.text.disabled;
  const text = theme.palette.text.primary;

  return (
    <svg
      role="img"
      aria-label={`Version graph${
        target ? `, path ${props.path.join(' to ')}` : ''
      }`}
      data-testid="version-graph"
      viewBox={`0 0 ${layout.width} ${layout.height}`}
      width="100%"
      style={{ maxHeight: 360 }}
    >
      <defs>
        {[
          ['arrow', muted],
          ['arrow-on', highlight],
        ].map(([id, color]) => (
          <marker
            key={id}
            id={`version-graph-${id}`}
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto-start-reverse"
          >
            <path d="M 0 0 L 10 5 L 0 10 z" fill={color} />
          </marker>
        ))}
      </defs>
      {layout.edges.map(edge => {
        const on = onPath.has(`${edge.from}->${edge.to}`);
        return (
          <path
            key={`${edge.kind}:${edge.from}->${edge.to}`}
            d={edge.d}
            fill="none"
            stroke={on ? highlight : muted}
            strokeWidth={on ? 3.5 : 1.5}
            strokeDasharray={edge.kind === 'downgrade' ? '6 4' : undefined}
            markerEnd={`url(#version-graph-${on ? 'arrow-on' : 'arrow'})`}
            data-testid={`graph-edge-${edge.from}-${edge.to}`}
            data-kind={edge.kind}
            data-highlighted={on ? 'true' : 'false'}
          >
            <title>
              {edge.kind === 'upgrade' ? 'Upgrader' : 'Downgrader'} {edge.from}{' '}
              → {edge.to}
            </title>
          </path>
        );
      })}
      {layout.nodes.map(node => {
        const installed = node.version === props.installed;
        const chosen = node.version === target;
        const inPath = props.path.includes(node.version);
        const selectable =
          !!props.onSelect && props.reachable.has(node.version);
        let ring = inPath ? 3 : 1.5;
        if (installed) ring = 5;
        let state = 'unreachable';
        if (installed) state = 'installed';
        else if (chosen) state = 'target';
        else if (inPath) state = 'on-path';
        else if (props.reachable.has(node.version)) state = 'reachable';
        return (
          <g
            key={node.version}
            data-testid={`graph-node-${node.version}`}
            data-state={state}
            style={{ cursor: selectable ? 'pointer' : 'default' }}
            onClick={
              selectable ? () => props.onSelect?.(node.version) : undefined
            }
          >
            <circle
              cx={node.x}
              cy={node.y}
              r={NODE_RADIUS}
              fill={chosen ? highlight : theme.palette.background.paper}
              stroke={inPath || installed ? highlight : muted}
              strokeWidth={ring}
            />
            <text
              x={node.x}
              y={node.y + NODE_RADIUS + 16}
              textAnchor="middle"
              fontSize="12"
              fontWeight={inPath ? 700 : 400}
              fill={
                props.reachable.has(node.version) || installed ? text : muted
              }
            >
              {node.version}
            </text>
            {installed && (
              <text
                x={node.x}
                y={node.y + 4}
                textAnchor="middle"
                fontSize="9"
                fill={text}
              >
                now
              </text>
            )}
          </g>
        );
      })}
    </svg>
  );
}
