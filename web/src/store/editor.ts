// The graph being edited: nodes, edges, name, viewport, the template it came
// from, with undo/redo and a clipboard.

import { applyEdgeChanges, applyNodeChanges, type Connection, type EdgeChange, type NodeChange } from '@xyflow/react';
import { create } from 'zustand';
import type { GraphDocument, Viewport } from '../api/types';
import { copySelection, pasteClip, type Clip } from '../graph/clipboard';
import { connect } from '../graph/connect';
import { fromDocument, toDocument } from '../graph/document';
import { emptyHistory, record, redo, undo, type History } from '../graph/history';
import { isValidNodeId, newNodeId } from '../graph/ids';
import { makeEdge, makeNode, type FlowEdge, type FlowNode } from '../graph/model';
import { useCatalog } from './catalog';

export interface TemplateRef {
  id: string;
  name: string;
  version: number;
}

/** The graph a subgraph was opened from, to return to. */
interface Frame {
  doc: GraphDocument;
  template: TemplateRef | null;
  scope: string;
}

interface Snapshot {
  nodes: FlowNode[];
  edges: FlowEdge[];
  name: string;
}

interface EditorState {
  nodes: FlowNode[];
  edges: FlowEdge[];
  name: string;
  viewport: Viewport | undefined;
  extraUi: Record<string, unknown> | undefined;
  template: TemplateRef | null;
  history: History<Snapshot>;
  clipboard: Clip | null;
  pasteCount: number;
  /** Bumped whenever a whole graph is loaded, so the canvas re-applies the viewport. */
  loadCount: number;
  /** Run-id prefix of the graph shown: '' at the top, 'sub/' inside subgraph node `sub`. */
  scope: string;
  /** The graphs subgraphs were opened from, innermost last. */
  stack: Frame[];

  onNodesChange: (changes: NodeChange<FlowNode>[]) => void;
  onEdgesChange: (changes: EdgeChange<FlowEdge>[]) => void;
  onConnect: (conn: Connection) => void;
  beginDrag: () => void;
  addNode: (type: string, position: { x: number; y: number }) => string;
  setParam: (nodeId: string, name: string, value: unknown) => void;
  renameNode: (oldId: string, newId: string) => string | null;
  setName: (name: string) => void;
  setViewport: (v: Viewport) => void;
  deleteSelected: () => void;
  selectAll: () => void;
  selectOnly: (nodeId: string) => void;
  copy: () => void;
  cut: () => void;
  paste: () => void;
  undo: () => void;
  redo: () => void;
  load: (doc: GraphDocument, template?: TemplateRef | null) => void;
  setTemplate: (template: TemplateRef | null) => void;
  clear: () => void;
  document: () => GraphDocument;
  /** Replaces the selected nodes by `node`, wired by `edges`. */
  replaceSelection: (node: FlowNode, edges: FlowEdge[]) => void;
  /** Shows the template of subgraph node `nodeId`, remembering this graph. */
  enterSubgraph: (nodeId: string, doc: GraphDocument, template: TemplateRef) => void;
  /** Back to the graph the current subgraph was opened from. */
  leaveSubgraph: () => void;
}

const snapshot = (s: EditorState): Snapshot => ({ nodes: s.nodes, edges: s.edges, name: s.name });

export const useEditor = create<EditorState>((set, get) => {
  /** Records the current graph for undo, then applies `change`. */
  const change = (patch: Partial<EditorState> | ((s: EditorState) => Partial<EditorState>), key: string | null = null) => {
    const s = get();
    const next = typeof patch === 'function' ? patch(s) : patch;
    set({ ...next, history: record(s.history, snapshot(s), key) });
  };

  return {
    nodes: [],
    edges: [],
    name: '',
    viewport: undefined,
    extraUi: undefined,
    template: null,
    history: emptyHistory(),
    clipboard: null,
    pasteCount: 0,
    loadCount: 0,
    scope: '',
    stack: [],

    onNodesChange: (changes) => set({ nodes: applyNodeChanges(changes, get().nodes) }),
    onEdgesChange: (changes) => set({ edges: applyEdgeChanges(changes, get().edges) }),

    onConnect: (conn) => {
      const { nodes, edges } = get();
      const next = connect(edges, conn, nodes, useCatalog.getState().byType);
      if (next !== edges) change({ edges: next });
    },

    beginDrag: () => change({}),

    addNode: (type, position) => {
      const s = get();
      const id = newNodeId(type, s.nodes.map((n) => n.id));
      const node = { ...makeNode(id, type, position), selected: true };
      change({ nodes: [...s.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), node] });
      return id;
    },

    setParam: (nodeId, name, value) =>
      change(
        (s) => ({
          nodes: s.nodes.map((n) => {
            if (n.id !== nodeId) return n;
            const params = { ...n.data.params };
            if (value === undefined) delete params[name];
            else params[name] = value;
            return { ...n, data: { ...n.data, params } };
          }),
        }),
        `param:${nodeId}:${name}`,
      ),

    renameNode: (oldId, newId) => {
      const s = get();
      if (oldId === newId) return null;
      if (!isValidNodeId(newId)) return 'use 1 to 64 of A-Z a-z 0-9 _ -';
      if (s.nodes.some((n) => n.id === newId)) return `${newId} is taken`;
      const re = (id: string) => (id === oldId ? newId : id);
      change({
        nodes: s.nodes.map((n) => (n.id === oldId ? { ...n, id: newId } : n)),
        edges: s.edges.map((e) =>
          e.source === oldId || e.target === oldId
            ? { ...makeEdge(re(e.source), e.sourceHandle!, re(e.target), e.targetHandle!), selected: e.selected }
            : e,
        ),
      });
      return null;
    },

    setName: (name) => change({ name }, 'name'),
    setViewport: (viewport) => set({ viewport }),

    deleteSelected: () => {
      const s = get();
      const gone = new Set(s.nodes.filter((n) => n.selected).map((n) => n.id));
      const edges = s.edges.filter((e) => !e.selected && !gone.has(e.source) && !gone.has(e.target));
      if (!gone.size && edges.length === s.edges.length) return;
      change({ nodes: s.nodes.filter((n) => !gone.has(n.id)), edges });
    },

    selectAll: () =>
      set((s) => ({ nodes: s.nodes.map((n) => ({ ...n, selected: true })), edges: s.edges.map((e) => ({ ...e, selected: true })) })),

    selectOnly: (nodeId) =>
      set((s) => ({
        nodes: s.nodes.map((n) => (n.selected === (n.id === nodeId) ? n : { ...n, selected: n.id === nodeId })),
        edges: s.edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
      })),

    copy: () => {
      const clip = copySelection(get().nodes, get().edges);
      if (clip) set({ clipboard: clip, pasteCount: 0 });
    },

    cut: () => {
      get().copy();
      get().deleteSelected();
    },

    paste: () => {
      const s = get();
      if (!s.clipboard) return;
      const n = s.pasteCount + 1;
      const clip = pasteClip(s.clipboard, s.nodes.map((x) => x.id), { x: 40 * n, y: 40 * n });
      change({
        nodes: [...s.nodes.map((x) => (x.selected ? { ...x, selected: false } : x)), ...clip.nodes],
        edges: [...s.edges.map((e) => (e.selected ? { ...e, selected: false } : e)), ...clip.edges],
        pasteCount: n,
      });
    },

    undo: () => {
      const s = get();
      const r = undo(s.history, snapshot(s));
      if (r) set({ ...r.state, history: r.history });
    },

    redo: () => {
      const s = get();
      const r = redo(s.history, snapshot(s));
      if (r) set({ ...r.state, history: r.history });
    },

    load: (doc, template = null) => {
      const g = fromDocument(doc);
      change({
        nodes: g.nodes,
        edges: g.edges,
        name: g.name ?? template?.name ?? '',
        viewport: g.viewport,
        extraUi: g.extraUi,
        template,
        loadCount: get().loadCount + 1,
      });
    },

    setTemplate: (template) => set({ template }),

    clear: () => change({ nodes: [], edges: [], name: '', template: null, extraUi: undefined, scope: '', stack: [] }),

    document: () => {
      const s = get();
      return toDocument({ name: s.name || undefined, nodes: s.nodes, edges: s.edges, viewport: s.viewport, extraUi: s.extraUi });
    },

    replaceSelection: (node, edges) => {
      const s = get();
      const gone = new Set(s.nodes.filter((n) => n.selected).map((n) => n.id));
      change({
        nodes: [...s.nodes.filter((n) => !gone.has(n.id)), { ...node, selected: true }],
        edges: [...s.edges.filter((e) => !gone.has(e.source) && !gone.has(e.target)), ...edges],
      });
    },

    enterSubgraph: (nodeId, doc, template) => {
      const s = get();
      const frame = { doc: s.document(), template: s.template, scope: s.scope };
      s.load(doc, template);
      set({ stack: [...s.stack, frame], scope: `${s.scope}${nodeId}/`, history: emptyHistory() });
    },

    leaveSubgraph: () => {
      const s = get();
      const frame = s.stack[s.stack.length - 1];
      if (!frame) return;
      s.load(frame.doc, frame.template);
      set({ stack: s.stack.slice(0, -1), scope: frame.scope, history: emptyHistory() });
    },
  };
});
