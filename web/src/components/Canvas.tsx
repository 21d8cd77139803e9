// The graph canvas: React Flow over the editor store, with drop-to-add,
// type-checked connections, coloured edges, minimap and controls.

import {
  Background,
  BackgroundVariant,
  Controls,
  MiniMap,
  ReactFlow,
  useReactFlow,
  type Connection,
  type Edge,
  type NodeTypes,
} from '@xyflow/react';
import { useCallback, useEffect, useMemo, type DragEvent } from 'react';
import { outputPort } from '../graph/catalog';
import { checkConnection } from '../graph/connect';
import { LIBRARY_MIME, nodeForDrop, readDrag } from '../library/drag';
import type { FlowEdge, FlowNode } from '../graph/model';
import { portColour } from '../graph/ports';
import { useCatalog } from '../store/catalog';
import { useEditor } from '../store/editor';
import { useRun } from '../store/run';
import { useUi } from '../store/ui';
import { FlowNodeCard } from './FlowNodeCard';

export const DRAG_MIME = 'application/x-fusionflow-node';

const nodeTypes: NodeTypes = { ff: FlowNodeCard };

export function Canvas() {
  const nodes = useEditor((s) => s.nodes);
  const edges = useEditor((s) => s.edges);
  const loadCount = useEditor((s) => s.loadCount);
  const onNodesChange = useEditor((s) => s.onNodesChange);
  const onEdgesChange = useEditor((s) => s.onEdgesChange);
  const onConnect = useEditor((s) => s.onConnect);
  const beginDrag = useEditor((s) => s.beginDrag);
  const addNode = useEditor((s) => s.addNode);
  const setViewport = useEditor((s) => s.setViewport);
  const catalog = useCatalog((s) => s.byType);
  const edgeErrors = useRun((s) => s.errors.byEdge);
  const rf = useReactFlow<FlowNode, FlowEdge>();

  // A freshly loaded graph shows its stored viewport, or all of it.
  useEffect(() => {
    if (!loadCount) return;
    const vp = useEditor.getState().viewport;
    const t = setTimeout(() => (vp ? rf.setViewport(vp) : rf.fitView({ padding: 0.2, maxZoom: 1.2 })), 30);
    return () => clearTimeout(t);
  }, [loadCount, rf]);

  const shownEdges = useMemo(() => {
    const byId = new Map(nodes.map((n) => [n.id, n]));
    return edges.map((e): Edge => {
      const src = byId.get(e.source);
      const type = outputPort(catalog[src?.data.type ?? ''], e.sourceHandle)?.type ?? 'any';
      const bad = edgeErrors[e.id];
      return {
        ...e,
        className: bad ? 'edge-error' : undefined,
        style: { stroke: bad ? '#ff5d5d' : portColour(type), strokeWidth: e.selected ? 3.5 : 2.2 },
        data: { type },
        ...(bad ? { label: bad[0].message, labelStyle: { fill: '#ffb4b4', fontSize: 12 }, labelBgStyle: { fill: '#2a1416' } } : {}),
      };
    });
  }, [edges, nodes, catalog, edgeErrors]);

  const isValidConnection = useCallback(
    (c: Connection | Edge) => checkConnection(c, useEditor.getState().nodes, useCatalog.getState().byType).ok,
    [],
  );

  const onDragOver = useCallback((e: DragEvent) => {
    if (e.dataTransfer.types.includes(DRAG_MIME) || e.dataTransfer.types.includes(LIBRARY_MIME)) {
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
    }
  }, []);

  const onDrop = useCallback(
    (e: DragEvent) => {
      const fromLibrary = nodeForDrop(readDrag(e.dataTransfer.getData(LIBRARY_MIME)));
      const type = fromLibrary?.type ?? e.dataTransfer.getData(DRAG_MIME);
      if (!type) return;
      e.preventDefault();
      const p = rf.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      const id = addNode(type, { x: p.x - 20, y: p.y - 20 });
      for (const [name, value] of Object.entries(fromLibrary?.params ?? {})) useEditor.getState().setParam(id, name, value);
      useUi.getState().setTab('node');
    },
    [rf, addNode],
  );

  return (
    <div className="ff-canvas" onDragOver={onDragOver} onDrop={onDrop} data-testid="canvas">
      <ReactFlow<FlowNode, FlowEdge>
        nodes={nodes}
        edges={shownEdges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        isValidConnection={isValidConnection}
        onNodeDragStart={beginDrag}
        onSelectionDragStart={beginDrag}
        onMoveEnd={(_, vp) => setViewport(vp)}
        onInit={(instance) => useEditor.getState().viewport ?? setViewport(instance.getViewport())}
        onNodeClick={() => useUi.getState().setTab('node')}
        deleteKeyCode={null}
        selectionKeyCode="Shift"
        multiSelectionKeyCode={['Meta', 'Control']}
        minZoom={0.1}
        maxZoom={2.5}
        defaultViewport={useEditor.getState().viewport ?? { x: 80, y: 80, zoom: 1 }}
        proOptions={{ hideAttribution: true }}
        colorMode="dark"
        connectionRadius={28}
      >
        <Background variant={BackgroundVariant.Dots} gap={22} size={1.3} />
        <MiniMap pannable zoomable nodeStrokeWidth={3} nodeColor={(n) => minimapColour(n as FlowNode)} />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}

function minimapColour(n: FlowNode): string {
  const status = useRun.getState().view?.nodes[n.id]?.status;
  switch (status) {
    case 'succeeded':
      return '#30c48d';
    case 'failed':
      return '#ff5d5d';
    case 'running':
    case 'queued':
      return '#4f9df7';
    default:
      return '#5b6474';
  }
}
