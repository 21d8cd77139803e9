// Past runs, newest first; any of them reopens on the canvas with its outputs.

import { useCallback, useEffect, useState } from 'react';
import { api } from '../api/client';
import type { Run } from '../api/types';
import { useRun } from '../store/run';
import { useUi } from '../store/ui';
import { formatDuration, formatTime } from './time';

export function HistoryPanel() {
  const [runs, setRuns] = useState<Run[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const version = useUi((s) => s.versions.runs);
  const currentId = useRun((s) => s.view?.runId);
  const currentStatus = useRun((s) => s.view?.status);

  const load = useCallback(async (after: string | null) => {
    try {
      const page = await api.listRuns(50, after);
      setRuns((prev) => (after && prev ? [...prev, ...page.runs] : page.runs));
      setCursor(page.next_cursor);
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    }
  }, []);

  useEffect(() => {
    void load(null);
  }, [load, version, currentId, currentStatus]);

  return (
    <div className="ff-panel-body" data-testid="history-panel">
      <h2 className="ff-panel-title">
        Runs <button className="ff-link" onClick={() => void load(null)}>refresh</button>
      </h2>
      {error && <p className="ff-error-text">{error}</p>}
      {runs?.length === 0 && <p className="ff-muted">No runs yet.</p>}
      <ul className="ff-list">
        {runs?.map((r) => (
          <li key={r.id} className={r.id === currentId ? 'current' : ''} data-testid="run-item" data-run-id={r.id}>
            <button className="ff-list-main" onClick={() => void useRun.getState().reopen(r.id)} title="Open on the canvas">
              <span className="ff-list-title">
                <span className={`ff-dot status-${r.status}`} /> {r.name || r.graph?.name || (r.graph_id ? `template ${r.graph_id}` : 'untitled graph')}
                {r.graph_version ? <span className="ff-muted"> v{r.graph_version}</span> : null}
              </span>
              <span className="ff-muted">
                {r.status} · {formatTime(r.created_at)}
                {r.finished_at ? ` · ${formatDuration(r.created_at, r.finished_at)}` : ''} · <span className="ff-mono">{r.id}</span>
              </span>
            </button>
          </li>
        ))}
      </ul>
      {cursor && (
        <button onClick={() => void load(cursor)} className="ff-more">
          Older runs…
        </button>
      )}
    </div>
  );
}
