// The example graphs the server ships (GET /api/examples), each opening with its layout.

import { useEffect, useState } from 'react';
import { api } from '../api/client';
import type { Example } from '../api/types';
import { openGraph } from '../store/files';

export function ExamplesPanel() {
  const [examples, setExamples] = useState<Example[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    api.listExamples().then(
      (list) => live && setExamples(list),
      (err) => live && setError((err as Error).message),
    );
    return () => {
      live = false;
    };
  }, []);

  return (
    <div className="ff-panel-body" data-testid="examples-panel">
      <h2 className="ff-panel-title">Examples</h2>
      <p className="ff-muted">Open one to see how it is wired, then run it or save it as your own template.</p>
      {error && <p className="ff-error-text">{error}</p>}
      {examples === null && !error && <p className="ff-muted">Loading…</p>}
      <ul className="ff-list">
        {examples?.map((e) => (
          <li key={e.id} data-testid="example-item" data-example-id={e.id}>
            <button className="ff-list-main" onClick={() => openGraph(e.graph, `the example “${e.name}”`)} title="Open on the canvas">
              <span className="ff-list-title">{e.name}</span>
              <span className="ff-muted">{e.description}</span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
