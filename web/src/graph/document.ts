// The graph document (CONTRACT section 1) <-> the editor's nodes and edges.
// Positions and the viewport live in the document's opaque `ui` field.

import type { GraphDocument, GraphEdgeDoc, GraphUi, Viewport } from '../api/types';
import { makeEdge, makeNode, type FlowEdge, type FlowNode } from './model';

export interface EditorGraph {
  name?: string;
  nodes: FlowNode[];
  edges: FlowEdge[];
  viewport?: Viewport;
  /** Keys of `ui` that the canvas does not know, kept as they came. */
  extraUi?: Record<string, unknown>;
}

const round = (v: number) => Math.round(v * 10) / 10;

export function toDocument(graph: EditorGraph): GraphDocument {
  const positions: Record<string, [number, number]> = {};
  for (const n of graph.nodes) positions[n.id] = [round(n.position.x), round(n.position.y)];
  const ui: GraphUi = { ...(graph.extraUi ?? {}), positions };
  if (graph.viewport) ui.viewport = { x: round(graph.viewport.x), y: round(graph.viewport.y), zoom: graph.viewport.zoom };
  const doc: GraphDocument = {
    version: 1,
    nodes: graph.nodes.map((n) => ({ id: n.id, type: n.data.type, params: cleanParams(n.data.params) })),
    edges: graph.edges.map((e) => ({ from: `${e.source}.${e.sourceHandle}`, to: `${e.target}.${e.targetHandle}` })),
    ui,
  };
  if (graph.name) doc.name = graph.name;
  return doc;
}

/** Params without the ones left unset (they take their defaults on the server). */
export function cleanParams(params: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined));
}

/** Splits an edge end `"<node id>.<port>"` (node ids hold no dots). */
export function splitEnd(end: string): [string, string] {
  const dot = end.indexOf('.');
  return dot < 0 ? [end, ''] : [end.slice(0, dot), end.slice(dot + 1)];
}

export function fromDocument(input: GraphDocument): EditorGraph {
  // A server may leave out empty lists and params (omitted defaults).
  const doc = { ...input, nodes: input.nodes ?? [], edges: input.edges ?? [] };
  const { positions = {}, viewport, ...extraUi } = (doc.ui ?? {}) as GraphUi;
  const fallback = layout(doc);
  const nodes = doc.nodes.map((n) => {
    const p = validPosition(positions[n.id]) ?? fallback[n.id];
    return makeNode(n.id, n.type, { x: p[0], y: p[1] }, { ...(n.params ?? {}) });
  });
  const edges = doc.edges.map((e) => {
    const [source, sourceHandle] = splitEnd(e.from);
    const [target, targetHandle] = splitEnd(e.to);
    return makeEdge(source, sourceHandle, target, targetHandle);
  });
  return {
    name: doc.name,
    nodes,
    edges,
    viewport: validViewport(viewport),
    extraUi: Object.keys(extraUi).length ? extraUi : undefined,
  };
}

function validPosition(p: unknown): [number, number] | undefined {
  return Array.isArray(p) && p.length === 2 && p.every((v) => typeof v === 'number' && Number.isFinite(v))
    ? [p[0], p[1]]
    : undefined;
}

function validViewport(v: unknown): Viewport | undefined {
  const o = v as Viewport | undefined;
  return o && [o.x, o.y, o.zoom].every((n) => typeof n === 'number' && Number.isFinite(n)) && o.zoom > 0 ? o : undefined;
}

/** Columns by longest path from a source, for documents that carry no positions. */
export function layout(doc: { nodes: { id: string }[]; edges: GraphEdgeDoc[] }): Record<string, [number, number]> {
  const depth: Record<string, number> = Object.fromEntries(doc.nodes.map((n) => [n.id, 0]));
  // Relax at most |nodes| times; a cycle cannot push depths further than that.
  for (let i = 0; i < doc.nodes.length; i++) {
    let changed = false;
    for (const e of doc.edges) {
      const [from] = splitEnd(e.from);
      const [to] = splitEnd(e.to);
      if (from in depth && to in depth && depth[to] < depth[from] + 1 && depth[from] + 1 < doc.nodes.length) {
        depth[to] = depth[from] + 1;
        changed = true;
      }
    }
    if (!changed) break;
  }
  const rows: Record<number, number> = {};
  const out: Record<string, [number, number]> = {};
  for (const n of doc.nodes) {
    const col = depth[n.id];
    const row = rows[col] ?? 0;
    rows[col] = row + 1;
    out[n.id] = [col * 320, row * 220];
  }
  return out;
}
