// Subgraphs on the canvas: a `graph.template` node's ports come from its template
// (GET /api/graphs/{id}), a selection becomes a template, and a subgraph's inner
// nodes (run ids `<node>/<inner id>`) are shown inside it. Pure functions.

import type { GraphDocument, NodeSpec, NodeStatus, PortType, Template } from '../api/types';
import type { CatalogIndex } from './catalog';
import { inputPort, outputPort } from './catalog';
import type { FlowEdge, FlowNode, NodeData } from './model';
import type { NodeRunView } from './runState';

export const TEMPLATE_NODE = 'graph.template';
/** Separates a subgraph node's id from its inner nodes' ids in a run. */
export const INNER = '/';

const INPUT_TYPES: Record<string, string> = { text: 'input.text', number: 'input.number', image: 'input.image', video: 'input.video', audio: 'input.audio' };

/** The catalog key of a subgraph node's own spec (its template's ports), or null. */
export function subgraphKey(data: NodeData): string | null {
  const template = data.params.template;
  if (data.type !== TEMPLATE_NODE || typeof template !== 'string' || !template) return null;
  const version = typeof data.params.version === 'number' ? data.params.version : 'latest';
  return `${TEMPLATE_NODE}#${template}#${version}`;
}

/** The spec of a node: its subgraph spec when known, else its type's. */
export function specOf(catalog: CatalogIndex, data: NodeData | undefined): NodeSpec | undefined {
  if (!data) return undefined;
  const key = subgraphKey(data);
  return (key && catalog[key]) || catalog[data.type];
}

/** A `graph.template` spec with a template's inputs (all optional) and outputs as ports. */
export function subgraphSpec(base: NodeSpec, template: Template): NodeSpec {
  return {
    ...base,
    title: `Subgraph: ${template.name}`,
    inputs: template.inputs.map((i) => ({ name: i.name, type: i.type as PortType, required: false, multiple: false, description: '' })),
    outputs: template.outputs.map((o) => ({ name: o.name, type: o.type as PortType, description: '' })),
  };
}

/**
 * The id in the run shown of the canvas node `id`: the canvas shows the subgraph at
 * `editorScope` (`''` at the top, `'sub/'` inside node `sub`), the run was started at
 * `runScope`. Null when the canvas is outside what the run ran.
 */
export function runNodeId(editorScope: string, runScope: string, id: string): string | null {
  return editorScope.startsWith(runScope) ? editorScope.slice(runScope.length) + id : null;
}

/** The status of a subgraph node in a run, from its inner nodes'. */
export function subgraphRun(nodes: Record<string, NodeRunView>, nodeId: string): NodeRunView | undefined {
  const prefix = nodeId + INNER;
  const inner = Object.entries(nodes).filter(([id]) => id.startsWith(prefix)).map(([, n]) => n);
  if (!inner.length) return undefined;
  const has = (s: NodeStatus) => inner.some((n) => n.status === s);
  const status: NodeStatus =
    (['failed', 'running', 'cancelled', 'queued'] as const).find(has) ??
    (inner.every((n) => n.status === 'succeeded') ? 'succeeded' : has('pending') ? 'pending' : 'skipped');
  const done = inner.filter((n) => n.status === 'succeeded').length;
  return {
    status,
    progress: done / inner.length,
    message: `${done} of ${inner.length} inner nodes done`,
    cached: inner.every((n) => n.cached),
    attempts: Math.max(...inner.map((n) => n.attempts)),
    cost: inner.reduce((sum, n) => sum + n.cost, 0),
    error: inner.find((n) => n.error)?.error ?? null,
    outputs: null,
    retrying: null,
  };
}

export interface Extraction {
  /** The template's graph: the selected nodes, an input node per outside source, an output node per inside source read outside. */
  template: GraphDocument;
  /** Edges of the new subgraph node: [outside source end, input name] and [output name, outside target end]. */
  inputs: [string, string][];
  outputs: [string, string][];
  /** Where the subgraph node goes: the selection's top-left corner. */
  position: { x: number; y: number };
}

/** The selected nodes as a template, and how the node that replaces them is wired; or why not. */
export function extractSubgraph(nodes: FlowNode[], edges: FlowEdge[], catalog: CatalogIndex, name: string): Extraction | { error: string } {
  const picked = nodes.filter((n) => n.selected);
  if (!picked.length) return { error: 'select the nodes to turn into a subgraph first' };
  const inside = new Set(picked.map((n) => n.id));
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const end = (node: string, port: string | null | undefined) => `${node}.${port ?? ''}`;
  const portType = (node: string, port: string | null | undefined, out: boolean) => {
    const spec = specOf(catalog, byId.get(node)?.data);
    return (out ? outputPort(spec, port) : inputPort(spec, port))?.type ?? 'any';
  };

  const docNodes: GraphDocument['nodes'] = picked.map((n) => ({ id: n.id, type: n.data.type, params: { ...n.data.params } }));
  const docEdges: GraphDocument['edges'] = [];
  const positions: Record<string, [number, number]> = {};
  for (const n of picked) positions[n.id] = [n.position.x, n.position.y];
  const taken = new Set(inside);
  const fresh = (base: string) => {
    let id = base.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 60);
    for (let i = 2; taken.has(id); i++) id = `${base.slice(0, 56)}_${i}`;
    taken.add(id);
    return id;
  };

  const inputs: [string, string][] = [];
  const inputNodes = new Map<string, string>(); // outside source end -> input node id
  const outputs: [string, string][] = [];
  const outputNodes = new Map<string, string>(); // inside source end -> output name
  for (const e of edges) {
    const fromIn = inside.has(e.source);
    const toIn = inside.has(e.target);
    if (fromIn && toIn) {
      docEdges.push({ from: end(e.source, e.sourceHandle), to: end(e.target, e.targetHandle) });
    } else if (toIn) {
      const source = end(e.source, e.sourceHandle);
      let inputId = inputNodes.get(source);
      if (!inputId) {
        const outType = portType(e.source, e.sourceHandle, true);
        const type = INPUT_TYPES[outType] ?? INPUT_TYPES[portType(e.target, e.targetHandle, false)];
        if (!type) return { error: `${source} gives ${outType}, and a template input takes only text, number, image, video or audio` };
        inputId = fresh(`${e.source}_${e.sourceHandle}`);
        inputNodes.set(source, inputId);
        docNodes.push({ id: inputId, type, params: { name: inputId } });
        positions[inputId] = [Math.min(...picked.map((n) => n.position.x)) - 300, positions[e.target][1]];
        inputs.push([source, inputId]);
      }
      docEdges.push({ from: `${inputId}.${inputKind(docNodes, inputId)}`, to: end(e.target, e.targetHandle) });
    } else if (fromIn) {
      const source = end(e.source, e.sourceHandle);
      let outName = outputNodes.get(source);
      if (!outName) {
        outName = fresh(`${e.source}_${e.sourceHandle}`);
        outputNodes.set(source, outName);
        docNodes.push({ id: outName, type: `output.${portType(e.source, e.sourceHandle, true)}`, params: { name: outName } });
        positions[outName] = [Math.max(...picked.map((n) => n.position.x)) + 340, positions[e.source][1]];
        docEdges.push({ from: source, to: `${outName}.value` });
      }
      outputs.push([outName, end(e.target, e.targetHandle)]);
    }
  }
  return {
    template: { version: 1, name, nodes: docNodes, edges: docEdges, ui: { positions } },
    inputs,
    outputs,
    position: { x: Math.min(...picked.map((n) => n.position.x)), y: Math.min(...picked.map((n) => n.position.y)) },
  };
}

/** The output port of an input node: its kind (`input.text` gives `text`). */
function inputKind(nodes: GraphDocument['nodes'], id: string): string {
  return nodes.find((n) => n.id === id)!.type.slice('input.'.length);
}
