// Hooks: categories with counts, import many (one a line), search, delete; drag a
// category onto the canvas to make its input.hooks node.

import { useEffect, useState } from 'react';
import { library, type Hook } from '../api/library';
import { useUi } from '../store/ui';
import { startDrag } from '../library/drag';

export function HooksManager() {
  const [categories, setCategories] = useState<{ name: string; count: number }[]>([]);
  const [category, setCategory] = useState('');
  const [hooks, setHooks] = useState<Hook[]>([]);
  const [search, setSearch] = useState('');
  const [lines, setLines] = useState('');
  const [version, setVersion] = useState(0);

  useEffect(() => {
    library.categories().then(setCategories, () => undefined);
  }, [version]);

  useEffect(() => {
    if (!category) return setHooks([]);
    library.listHooks(category, search || undefined).then(setHooks, () => undefined);
  }, [category, search, version]);

  const act = async (work: () => Promise<unknown>) => {
    try {
      await work();
      setVersion((v) => v + 1);
    } catch (err) {
      useUi.getState().toast({ kind: 'error', text: (err as Error).message });
    }
  };

  const importLines = () => {
    const texts = lines.replace(/\n+$/, '').split('\n');
    const target = category || 'general';
    void act(() => library.importHooks(texts, target)).then(() => (setLines(''), setCategory(target)));
  };

  return (
    <section className="ff-lib-section" data-testid="hooks">
      <h4>Hooks</h4>
      <div className="ff-lib-row ff-wrap">
        {categories.map((c) => (
          <button
            key={c.name}
            type="button"
            className={c.name === category ? 'ff-chip active' : 'ff-chip'}
            draggable
            onDragStart={(e) => startDrag(e, { what: 'hooks', category: c.name })}
            onClick={() => setCategory(c.name)}
            title="Drag onto the canvas to make an input.hooks node"
          >
            {c.name} <span className="ff-count">{c.count}</span>
          </button>
        ))}
      </div>
      <input placeholder="Category" value={category} onChange={(e) => setCategory(e.target.value)} aria-label="Category" />
      <textarea
        rows={3}
        placeholder="One hook a line"
        value={lines}
        onChange={(e) => setLines(e.target.value)}
        aria-label="Hooks to add"
      />
      <button type="button" disabled={!lines.trim()} onClick={importLines}>
        Add to {category || 'general'}
      </button>
      {category && (
        <>
          <input type="search" placeholder="Search hooks…" value={search} onChange={(e) => setSearch(e.target.value)} />
          <ul className="ff-hooks">
            {hooks.map((h) => (
              <li key={h.id}>
                <span>{h.text}</span>
                <button type="button" className="ff-link" onClick={() => void act(() => library.deleteHook(h.id))}>
                  delete
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
