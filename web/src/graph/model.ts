// The editor's in-memory graph: React Flow nodes and edges carrying the graph document's data.

import type { Edge, Node } from '@xyflow/react';

export interface NodeData extends Record<string, unknown> {
  type: string;
  params: Record<string, unknown>;
}

export type FlowNode = Node<NodeData, 'ff'>;
export type FlowEdge = Edge;

export const NODE_KIND = 'ff' as const;

export function edgeId(source: string, sourceHandle: string, target: string, targetHandle: string): string {
  return `${source}.${sourceHandle}->${target}.${targetHandle}`;
}

export function makeEdge(source: string, sourceHandle: string, target: string, targetHandle: string): FlowEdge {
  return { id: edgeId(source, sourceHandle, target, targetHandle), source, sourceHandle, target, targetHandle };
}

export function makeNode(id: string, type: string, position: { x: number; y: number }, params: Record<string, unknown> = {}): FlowNode {
  return { id, type: NODE_KIND, position, data: { type, params } };
}
