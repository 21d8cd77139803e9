// The node palette: every type of the catalog, searchable, by category.
// Drag an entry onto the canvas, or double-click it to add it in the middle.

import { useReactFlow } from '@xyflow/react';
import { useMemo, useState, type DragEvent } from 'react';
import type { NodeSpec } from '../api/types';
import { groupCatalog } from '../graph/catalog';
import { portColour } from '../graph/ports';
import { useCatalog } from '../store/catalog';
import { useEditor } from '../store/editor';
import { useUi } from '../store/ui';
import { DRAG_MIME } from './Canvas';

/** Adds a node of a type in the middle of the visible canvas (a little apart from the last), selects it and shows its params. */
export function useAddInMiddle(): (type: string) => string {
  const rf = useReactFlow();
  const addNode = useEditor((s) => s.addNode);
  return (type: string) => {
    const pane = document.querySelector('.ff-canvas')?.getBoundingClientRect();
    const centre = pane ? { x: pane.left + pane.width / 2, y: pane.top + pane.height / 2 } : { x: 600, y: 400 };
    const p = rf.screenToFlowPosition(centre);
    const jitter = (useEditor.getState().nodes.length % 5) * 24;
    const id = addNode(type, { x: p.x - 120 + jitter, y: p.y - 60 + jitter });
    useUi.getState().setTab('node');
    return id;
  };
}

export function Palette() {
  const { nodes, status, error, load } = useCatalog();
  const [query, setQuery] = useState('');
  const [collapsed, setCollapsed] = useState<Record<string, boolean>>({});
  const groups = useMemo(() => groupCatalog(nodes, query), [nodes, query]);
  const addInMiddle = useAddInMiddle();

  return (
    <aside className="ff-palette" data-testid="palette">
      <input
        className="ff-search"
        type="search"
        placeholder="Search nodes…"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        aria-label="Search nodes"
      />
      {status === 'loading' && <p className="ff-muted">Loading node types…</p>}
      {status === 'error' && (
        <p className="ff-error-text">
          Could not load node types: {error} <button onClick={() => void load()}>Retry</button>
        </p>
      )}
      {status === 'ready' && groups.length === 0 && <p className="ff-muted">No node type matches “{query}”.</p>}
      <div className="ff-palette-list">
        {groups.map(([category, specs]) => (
          <section key={category} className="ff-category">
            <button
              className="ff-category-head"
              onClick={() => setCollapsed({ ...collapsed, [category]: !collapsed[category] })}
              aria-expanded={!collapsed[category]}
            >
              <span>{collapsed[category] && !query ? '▸' : '▾'}</span> {category}
              <span className="ff-count">{specs.length}</span>
            </button>
            {(!collapsed[category] || query) &&
              specs.map((spec) => <PaletteItem key={spec.type} spec={spec} onAdd={() => addInMiddle(spec.type)} />)}
          </section>
        ))}
      </div>
    </aside>
  );
}

function PaletteItem({ spec, onAdd }: { spec: NodeSpec; onAdd: () => void }) {
  const onDragStart = (e: DragEvent) => {
    e.dataTransfer.setData(DRAG_MIME, spec.type);
    e.dataTransfer.effectAllowed = 'copy';
  };
  return (
    <div
      className="ff-palette-item"
      draggable
      onDragStart={onDragStart}
      onDoubleClick={onAdd}
      onKeyDown={(e) => e.key === 'Enter' && onAdd()}
      tabIndex={0}
      role="button"
      title={`${spec.description || spec.title}\n\nDrag onto the canvas, or double-click to add.`}
      data-type={spec.type}
      data-testid={`palette-${spec.type}`}
    >
      <div className="ff-palette-title">{spec.title}</div>
      <div className="ff-palette-meta">
        <span className="ff-palette-type">{spec.type}</span>
        <span className="ff-dots">
          {spec.inputs.map((p) => (
            <i key={'i' + p.name} style={{ background: portColour(p.type) }} title={`in ${p.name}: ${p.type}`} />
          ))}
          {spec.inputs.length > 0 && spec.outputs.length > 0 && <b>→</b>}
          {spec.outputs.map((p) => (
            <i key={'o' + p.name} style={{ background: portColour(p.type) }} title={`out ${p.name}: ${p.type}`} />
          ))}
        </span>
      </div>
    </div>
  );
}
