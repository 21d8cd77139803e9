// Asks for an API key when the server answers 401 (authentication is on).

import { useEffect, useState } from 'react';
import { apiKey, setApiKey } from '../api/auth';
import { api, setUnauthorizedHandler } from '../api/client';

export function KeyPrompt() {
  const [needed, setNeeded] = useState(false);
  const [draft, setDraft] = useState('');
  useEffect(() => {
    setUnauthorizedHandler(() => setNeeded(true));
    // The catalog is public; the user's runs are not: ask early whether a key is needed.
    api.listRuns(1).catch(() => undefined);
    return () => setUnauthorizedHandler(null);
  }, []);
  if (!needed) return null;
  return (
    <div className="ff-modal-backdrop">
      <form
        className="ff-modal"
        onSubmit={(e) => {
          e.preventDefault();
          setApiKey(draft.trim() || null);
          window.location.reload();
        }}
      >
        <h2 className="ff-panel-title">This server needs an API key</h2>
        <p className="ff-muted">
          {apiKey() ? 'The key kept in this browser was refused. ' : ''}Create one with <code>fusionflow users create NAME</code>
          ; it is kept in this browser only.
        </p>
        <input type="password" value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="API key" autoFocus />
        <div className="ff-inline-form">
          <button type="submit" className="primary">
            Use this key
          </button>
        </div>
      </form>
    </div>
  );
}
