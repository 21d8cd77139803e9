// Connecting ports: which connections are allowed, and what a new edge replaces.

import type { CatalogIndex } from './catalog';
import { inputPort, outputPort } from './catalog';
import { makeEdge, type FlowEdge, type FlowNode } from './model';
import { specOf } from './subgraph';
import { compatible } from './ports';

export interface ConnectionLike {
  source: string | null;
  sourceHandle?: string | null;
  target: string | null;
  targetHandle?: string | null;
}

export type ConnectCheck = { ok: true } | { ok: false; reason: string };

/** Whether `conn` (an output port to an input port) may become an edge. */
export function checkConnection(conn: ConnectionLike, nodes: FlowNode[], catalog: CatalogIndex): ConnectCheck {
  const { source, target, sourceHandle, targetHandle } = conn;
  if (!source || !target) return { ok: false, reason: 'incomplete connection' };
  if (source === target) return { ok: false, reason: 'a node cannot feed itself' };
  const from = nodes.find((n) => n.id === source);
  const to = nodes.find((n) => n.id === target);
  const out = outputPort(specOf(catalog, from?.data), sourceHandle);
  const inp = inputPort(specOf(catalog, to?.data), targetHandle);
  if (!out) return { ok: false, reason: `${source} has no output ${sourceHandle ?? ''}` };
  if (!inp) return { ok: false, reason: `${target} has no input ${targetHandle ?? ''}` };
  if (!compatible(out.type, inp.type)) {
    return { ok: false, reason: `${target}.${inp.name} takes ${inp.type}; ${source}.${out.name} gives ${out.type}` };
  }
  return { ok: true };
}

/**
 * The edges after connecting `conn`: a second edge into an input that is not
 * `multiple` replaces the first; an edge that already exists is not added twice.
 * Returns `edges` unchanged when the connection is not allowed.
 */
export function connect(edges: FlowEdge[], conn: ConnectionLike, nodes: FlowNode[], catalog: CatalogIndex): FlowEdge[] {
  if (!checkConnection(conn, nodes, catalog).ok) return edges;
  const source = conn.source!;
  const target = conn.target!;
  const sourceHandle = conn.sourceHandle!;
  const targetHandle = conn.targetHandle!;
  const edge = makeEdge(source, sourceHandle, target, targetHandle);
  if (edges.some((e) => e.id === edge.id)) return edges;
  const toNode = nodes.find((n) => n.id === target)!;
  const multiple = inputPort(specOf(catalog, toNode.data), targetHandle)?.multiple ?? false;
  const kept = multiple ? edges : edges.filter((e) => !(e.target === target && e.targetHandle === targetHandle));
  return [...kept, edge];
}
