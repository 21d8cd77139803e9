// The top bar: graph name, template, run and cancel, save, undo/redo, fit view, run status.

import { useReactFlow } from '@xyflow/react';
import { AccountBadge } from './AccountBadge';
import { isRunFinished } from '../graph/runState';
import { useEditor } from '../store/editor';
import { useRun } from '../store/run';
import { saveTemplate } from '../store/templates';

export function Toolbar() {
  const name = useEditor((s) => s.name);
  const setName = useEditor((s) => s.setName);
  const template = useEditor((s) => s.template);
  const canUndo = useEditor((s) => s.history.past.length > 0);
  const canRedo = useEditor((s) => s.history.future.length > 0);
  const empty = useEditor((s) => s.nodes.length === 0);
  const view = useRun((s) => s.view);
  const submitting = useRun((s) => s.submitting);
  const rf = useReactFlow();
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
        <button onClick={() => void saveTemplate(false)} disabled={empty} title="Save as template (Ctrl+S)" data-testid="save">
          {template ? `Save v${template.version + 1}` : 'Save'}
        </button>
        {active ? (
          <button className="danger" onClick={() => void useRun.getState().cancel()} data-testid="cancel">
            Cancel
          </button>
        ) : null}
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
      <AccountBadge />
    </header>
  );
}
