// Copy and paste of a selection: fresh ids, edges kept only between copied nodes.

import { newNodeId } from './ids';
import { makeEdge, type FlowEdge, type FlowNode } from './model';

export interface Clip {
  nodes: FlowNode[];
  edges: FlowEdge[];
}

export function copySelection(nodes: FlowNode[], edges: FlowEdge[]): Clip | null {
  const picked = nodes.filter((n) => n.selected);
  if (!picked.length) return null;
  const ids = new Set(picked.map((n) => n.id));
  return {
    nodes: picked.map((n) => ({ ...n, data: { ...n.data, params: structuredClone(n.data.params) } })),
    edges: edges.filter((e) => ids.has(e.source) && ids.has(e.target)),
  };
}

/** The clip's nodes and edges with ids not in `taken`, moved by `offset`, selected. */
export function pasteClip(clip: Clip, taken: Iterable<string>, offset: { x: number; y: number }): Clip {
  const used = new Set(taken);
  const rename: Record<string, string> = {};
  for (const n of clip.nodes) {
    const id = used.has(n.id) ? newNodeId(n.data.type, used) : n.id;
    used.add(id);
    rename[n.id] = id;
  }
  return {
    nodes: clip.nodes.map((n) => ({
      ...n,
      id: rename[n.id],
      position: { x: n.position.x + offset.x, y: n.position.y + offset.y },
      selected: true,
      data: { ...n.data, params: structuredClone(n.data.params) },
    })),
    edges: clip.edges.map((e) => makeEdge(rename[e.source], e.sourceHandle!, rename[e.target], e.targetHandle!)),
  };
}
