// Reading a graph document from a file, a drop or a paste: JSON that is not a graph
// is refused with a message saying what is wrong, before anything on the canvas changes.

import type { GraphDocument } from '../api/types';

export class NotAGraph extends Error {
  constructor(message: string) {
    super(`not a graph: ${message}`);
    this.name = 'NotAGraph';
  }
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const END = /^[^.]+\.[^.]+$/;

/** The graph in `text`: a graph document, or a template or example holding one in `graph`. */
export function parseGraph(text: string): GraphDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new NotAGraph(`the file is not JSON (${(err as Error).message})`);
  }
  return asGraph(value);
}

export function asGraph(value: unknown): GraphDocument {
  const doc = isObject(value) && isObject(value.graph) && !('nodes' in value) ? value.graph : value;
  if (!isObject(doc)) throw new NotAGraph('expected a JSON object with "version": 1, "nodes" and "edges"');
  if (doc.version !== 1) throw new NotAGraph(`"version" must be 1, not ${JSON.stringify(doc.version ?? null)}`);
  if (!Array.isArray(doc.nodes)) throw new NotAGraph('"nodes" must be a list');
  doc.nodes.forEach((n, i) => {
    if (!isObject(n) || typeof n.id !== 'string' || typeof n.type !== 'string')
      throw new NotAGraph(`nodes[${i}] needs a string "id" and "type"`);
    if (n.params !== undefined && !isObject(n.params)) throw new NotAGraph(`nodes[${i}].params must be an object`);
  });
  const edges = doc.edges ?? [];
  if (!Array.isArray(edges)) throw new NotAGraph('"edges" must be a list');
  edges.forEach((e, i) => {
    if (!isObject(e) || typeof e.from !== 'string' || typeof e.to !== 'string' || !END.test(e.from) || !END.test(e.to))
      throw new NotAGraph(`edges[${i}] needs "from" and "to" of the form "<node>.<port>"`);
  });
  return { ...(doc as unknown as GraphDocument), edges: edges as GraphDocument['edges'] };
}

/** A file name for a graph: its name made safe, else "graph". */
export function fileName(name: string | undefined): string {
  const base = (name ?? '').trim().toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return `${base || 'graph'}.json`;
}
