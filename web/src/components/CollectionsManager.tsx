// Collections: make one, add the gallery's selected assets, reorder, take items out,
// delete; drag a collection onto the canvas to make its input.collection node.

import { useEffect, useState } from 'react';
import { library, type Collection } from '../api/library';
import { useUi } from '../store/ui';
import { startDrag } from '../library/drag';

export function CollectionsManager({ selected, onChanged }: { selected: string[]; onChanged: () => void }) {
  const [collections, setCollections] = useState<Collection[]>([]);
  const [name, setName] = useState('');
  const [kind, setKind] = useState<Collection['kind']>('video');
  const [open, setOpen] = useState<string | null>(null);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    let live = true;
    library.listCollections().then((list) => live && setCollections(list), () => undefined);
    return () => {
      live = false;
    };
  }, [version]);

  const act = async (work: () => Promise<unknown>) => {
    try {
      await work();
      setVersion((v) => v + 1);
      onChanged();
    } catch (err) {
      useUi.getState().toast({ kind: 'error', text: (err as Error).message });
    }
  };

  const move = (c: Collection, index: number, by: number) => {
    const ids = c.items.map((i) => i.asset_id);
    const [id] = ids.splice(index, 1);
    ids.splice(index + by, 0, id);
    void act(() => library.reorder(c.id, ids));
  };

  return (
    <section className="ff-lib-section" data-testid="collections">
      <h4>Collections</h4>
      <form
        className="ff-lib-row"
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim()) void act(() => library.createCollection(name.trim(), kind)).then(() => setName(''));
        }}
      >
        <input placeholder="New collection" value={name} onChange={(e) => setName(e.target.value)} data-testid="collection-name" />
        <select value={kind} onChange={(e) => setKind(e.target.value as Collection['kind'])} data-testid="collection-kind">
          <option value="video">videos</option>
          <option value="audio">audio</option>
          <option value="image">images</option>
        </select>
        <button type="submit" data-testid="collection-create">Create</button>
      </form>
      {collections.map((c) => (
        <div key={c.id} className="ff-collection" data-testid="collection" data-id={c.id} data-count={c.count}>
          <div
            className="ff-collection-head"
            draggable
            onDragStart={(e) => startDrag(e, { what: 'collection', id: c.id })}
            title="Drag onto the canvas to make an input.collection node"
          >
            <button type="button" className="ff-link" onClick={() => setOpen(open === c.id ? null : c.id)}>
              {open === c.id ? '▾' : '▸'} {c.name}
            </button>
            <span className="ff-muted">
              {c.count} {c.kind}
            </span>
            <button
              type="button"
              disabled={selected.length === 0}
              onClick={() => void act(() => library.addItems(c.id, selected))}
              data-testid="collection-add-selected"
            >
              Add selected
            </button>
            <button type="button" className="ff-link" onClick={() => void act(() => library.deleteCollection(c.id))}>
              delete
            </button>
          </div>
          {open === c.id && (
            <ol className="ff-collection-items">
              {c.items.map((item, i) => (
                <li key={item.asset_id}>
                  <span>{item.name}</span>
                  <button type="button" className="ff-link" disabled={i === 0} onClick={() => move(c, i, -1)} aria-label="up">
                    ↑
                  </button>
                  <button
                    type="button"
                    className="ff-link"
                    disabled={i === c.items.length - 1}
                    onClick={() => move(c, i, 1)}
                    aria-label="down"
                  >
                    ↓
                  </button>
                  <button type="button" className="ff-link" onClick={() => void act(() => library.removeItem(c.id, item.asset_id))}>
                    remove
                  </button>
                </li>
              ))}
            </ol>
          )}
        </div>
      ))}
    </section>
  );
}
