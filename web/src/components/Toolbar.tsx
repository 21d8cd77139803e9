// The top bar: graph name, template, run and cancel, save, undo/redo, fit view, run status.

import { useReactFlow } from '@xyflow/react';
import { useRef } from 'react';
import { AccountBadge } from './AccountBadge';
import { CostChip } from './CostChip';
import { PRIORITIES, type Priority } from '../api/types';
import { isRunFinished } from '../graph/runState';
import { useEditor } from '../store/editor';
import { useRun } from '../store/run';
import { exportGraph, importFile } from '../store/files';
import { closeSubgraph, makeSubgraph } from '../store/subgraphs';
import { saveTemplate } from '../store/templates';

export function Toolbar() {
  const name = useEditor((s) => s.name);
  const setName = useEditor((s) => s.setName);
  const template = useEditor((s) => s.template);
  const canUndo = useEditor((s) => s.history.past.length > 0);
  const canRedo = useEditor((s) => s.history.future.length > 0);
  const empty = useEditor((s) => s.nodes.length === 0);
  const selected = useEditor((s) => s.nodes.some((n) => n.selected));
  const outer = useEditor((s) => s.stack[s.stack.length - 1]);
  const scope = useEditor((s) => s.scope);
  const view = useRun((s) => s.view);
  const submitting = useRun((s) => s.submitting);
  const priority = useRun((s) => s.priority);
  const rf = useReactFlow();
  const filePicker = useRef<HTMLInputElement>(null);
  const active = !!view && !isRunFinished(view);

  const counts = view ? Object.values(view.nodes) : [];
  const done = counts.filter((n) => ['succeeded', 'failed', 'skipped', 'cancelled'].includes(n.status)).length;

  return (
    <header className="ff-toolbar">
      <div className="ff-brand">FusionFlow</div>
      <input
        className="ff-name"
        value={name}
        placeholder="Untitled graph"
        onChange={(e) => setName(e.target.value)}
        aria-label="Graph name"
        data-testid="graph-name"
      />
      {template && (
        <span className="ff-chip" title={template.id} data-testid="template-chip">
          template · v{template.version}
        </span>
      )}
      {outer && (
        <button onClick={closeSubgraph} title={`Inside subgraph ${scope.slice(0, -1)}: back to the graph it is part of`} data-testid="subgraph-back">
          ← {outer.doc.name || 'back'} <span className="ff-muted ff-mono">/{scope}</span>
        </button>
      )}
      <div className="ff-toolbar-group">
        <button onClick={() => useEditor.getState().undo()} disabled={!canUndo} title="Undo (Ctrl+Z)">
          Undo
        </button>
        <button onClick={() => useEditor.getState().redo()} disabled={!canRedo} title="Redo (Ctrl+Shift+Z)">
          Redo
        </button>
        <button onClick={() => rf.fitView({ padding: 0.2, duration: 200 })} title="Fit view (F)">
          Fit
        </button>
        <button
          onClick={() => {
            if (!window.confirm('Clear the canvas?')) return;
            useEditor.getState().clear();
            useRun.getState().reset();
          }}
          title="Start a new, empty graph"
        >
          New
        </button>
      </div>
      <div className="ff-toolbar-group">
        <button onClick={() => filePicker.current?.click()} title="Open a graph JSON file (or drop one on the canvas, or paste it)" data-testid="import">
          Import
        </button>
        <input
          ref={filePicker}
          type="file"
          accept=".json,application/json"
          hidden
          data-testid="import-file"
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (file) void importFile(file);
          }}
        />
        <button onClick={exportGraph} disabled={empty} title="Download the graph as a JSON file" data-testid="export">
          Export
        </button>
        <button onClick={() => void makeSubgraph()} disabled={!selected} title="Save the selected nodes as a template and put one subgraph node in their place (double-click it to open it)" data-testid="make-subgraph">
          Make subgraph
        </button>
      </div>
      <div className="ff-toolbar-group">
        <button onClick={() => void saveTemplate(false)} disabled={empty} title="Save as template (Ctrl+S)" data-testid="save">
          {template ? `Save v${template.version + 1}` : 'Save'}
        </button>
        {active ? (
          <button className="danger" onClick={() => void useRun.getState().cancel()} data-testid="cancel">
            Cancel
          </button>
        ) : null}
        <select
          value={priority}
          onChange={(e) => useRun.getState().setPriority(e.target.value as Priority)}
          title="Run priority: its nodes are taken before waiting nodes of lower-priority runs"
          aria-label="Run priority"
          data-testid="priority"
        >
          {PRIORITIES.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
        <button className="primary" onClick={() => void useRun.getState().start()} disabled={submitting || empty || active} title="Run (Ctrl+Enter)" data-testid="run">
          {submitting ? 'Submitting…' : '▶ Run'}
        </button>
      </div>
      <div className="ff-run-status" data-testid="run-status" data-status={view?.status ?? 'none'}>
        {view ? (
          <>
            <span className={`ff-dot status-${view.status}`} /> {view.status}
            <span className="ff-muted">
              {' '}
              {done}/{counts.length} nodes · <span className="ff-mono">{view.runId}</span>
            </span>
          </>
        ) : (
          <span className="ff-muted">no run yet</span>
        )}
      </div>
      <CostChip />
      <AccountBadge />
    </header>
  );
}
