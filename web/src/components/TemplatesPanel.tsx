// Saved templates: save the canvas as a new one, open one, delete one.

import { useEffect, useState } from 'react';
import { api } from '../api/client';
import type { Template } from '../api/types';
import { useEditor } from '../store/editor';
import { useRun } from '../store/run';
import { saveTemplate } from '../store/templates';
import { useUi } from '../store/ui';
import { formatTime } from './time';

export function TemplatesPanel() {
  const [templates, setTemplates] = useState<Template[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const version = useUi((s) => s.versions.templates);
  const current = useEditor((s) => s.template);
  const graphName = useEditor((s) => s.name);
  const [newName, setNewName] = useState('');

  useEffect(() => {
    let live = true;
    api.listTemplates().then(
      (list) => live && (setTemplates(list), setError(null)),
      (err) => live && setError((err as Error).message),
    );
    return () => {
      live = false;
    };
  }, [version]);

  const open = async (id: string) => {
    try {
      const t = await api.getTemplate(id);
      useEditor.getState().load(t.graph, { id: t.id, name: t.name, version: t.version });
      useRun.getState().clearErrors();
      useUi.getState().setTab('inputs');
    } catch (err) {
      useUi.getState().toast({ kind: 'error', text: (err as Error).message });
    }
  };

  const remove = async (t: Template) => {
    if (!window.confirm(`Delete the template “${t.name}” and all its versions?`)) return;
    try {
      await api.deleteTemplate(t.id);
      if (useEditor.getState().template?.id === t.id) useEditor.getState().setTemplate(null);
      useUi.getState().bump('templates');
    } catch (err) {
      useUi.getState().toast({ kind: 'error', text: (err as Error).message });
    }
  };

  return (
    <div className="ff-panel-body" data-testid="templates-panel">
      <h2 className="ff-panel-title">Save</h2>
      {current ? (
        <p>
          This canvas is template <b>{current.name}</b>, version {current.version}.{' '}
          <button className="primary" onClick={() => void saveTemplate(false)} data-testid="save-version">
            Save version {current.version + 1}
          </button>
        </p>
      ) : (
        <p className="ff-muted">This canvas is not saved as a template yet.</p>
      )}
      <div className="ff-inline-form">
        <input
          placeholder={graphName || 'Template name'}
          value={newName}
          onChange={(e) => setNewName(e.target.value)}
          aria-label="New template name"
          data-testid="template-name"
        />
        <button onClick={() => void saveTemplate(true, newName || undefined).then((ok) => ok && setNewName(''))} data-testid="save-new">
          Save as new
        </button>
      </div>

      <h2 className="ff-panel-title">Templates</h2>
      {error && <p className="ff-error-text">{error}</p>}
      {templates === null && !error && <p className="ff-muted">Loading…</p>}
      {templates?.length === 0 && <p className="ff-muted">No templates yet.</p>}
      <ul className="ff-list">
        {templates?.map((t) => (
          <li key={t.id} className={current?.id === t.id ? 'current' : ''} data-testid="template-item" data-template-id={t.id}>
            <button className="ff-list-main" onClick={() => void open(t.id)} title="Open on the canvas">
              <span className="ff-list-title">{t.name}</span>
              <span className="ff-muted">
                v{t.version} · {t.graph?.nodes?.length ?? '?'} nodes · {formatTime(t.updated_at)}
              </span>
            </button>
            <button className="ff-icon-button" onClick={() => void remove(t)} title="Delete template" aria-label={`Delete ${t.name}`}>
              ✕
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
