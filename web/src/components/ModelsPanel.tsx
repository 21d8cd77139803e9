// Provider models (GET /api/catalog/models): search, filter by category, and add one
// as a `fal.run` node whose arguments form comes from the model's input schema.

import { useEffect, useMemo, useState } from 'react';
import { api } from '../api/client';
import type { CatalogModel } from '../api/types';
import { useEditor } from '../store/editor';
import { useModels } from '../store/models';
import { useUi } from '../store/ui';
import { useAddInMiddle } from './Palette';

export function ModelsPanel() {
  const [query, setQuery] = useState('');
  const [category, setCategory] = useState('');
  const [models, setModels] = useState<CatalogModel[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [categories, setCategories] = useState<string[]>([]);
  const addInMiddle = useAddInMiddle();

  useEffect(() => {
    let live = true;
    const t = setTimeout(() => {
      api.searchModels(query, category, 100).then(
        (found) => {
          if (!live) return;
          setModels(found);
          setError(null);
          useModels.getState().remember(found);
          if (!category) setCategories([...new Set(found.map((m) => m.category))].sort());
        },
        (err) => live && setError((err as Error).message),
      );
    }, 150);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [query, category]);

  const use = (model: CatalogModel) => {
    const id = addInMiddle('fal.run');
    useEditor.getState().setParam(id, 'app', model.id);
    useUi.getState().toast({ kind: 'info', text: `Added ${model.title} as ${id}: set its arguments in the Node tab` });
  };

  const shown = useMemo(() => models ?? [], [models]);
  return (
    <div className="ff-panel-body" data-testid="models-panel">
      <h2 className="ff-panel-title">Models</h2>
      <div className="ff-inline-form">
        <input type="search" placeholder="Search models…" value={query} onChange={(e) => setQuery(e.target.value)} aria-label="Search models" data-testid="model-search" />
        <select value={category} onChange={(e) => setCategory(e.target.value)} aria-label="Category" data-testid="model-category">
          <option value="">all categories</option>
          {categories.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      </div>
      {error && <p className="ff-error-text">{error}</p>}
      {models === null && !error && <p className="ff-muted">Loading…</p>}
      {models?.length === 0 && <p className="ff-muted">No model matches.</p>}
      <ul className="ff-list">
        {shown.map((m) => (
          <li key={m.id} data-testid="model-item" data-model-id={m.id}>
            <button className="ff-list-main" onClick={() => use(m)} title="Add as a fal.run node">
              <span className="ff-list-title">{m.title}</span>
              <span className="ff-muted ff-mono">{m.id}</span>
              <span className="ff-muted">
                {m.category}
                {m.description ? ` · ${m.description}` : ''}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
