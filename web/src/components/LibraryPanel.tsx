// The library tab: upload many files with a progress bar each, filter and browse the
// gallery, select assets for a collection, drag an asset onto the canvas to make its
// input node. The collections and hooks managers sit below.

import { useCallback, useEffect, useRef, useState } from 'react';
import { library, uploadWithProgress, type AssetFilters, type AssetItem } from '../api/library';
import { startDrag } from '../library/drag';
import { useUi } from '../store/ui';
import { CollectionsManager } from './CollectionsManager';
import { HooksManager } from './HooksManager';

interface UploadState {
  name: string;
  progress: number;
  error?: string;
  done: boolean;
}

export function LibraryPanel() {
  const [filters, setFilters] = useState<AssetFilters>({});
  const [assets, setAssets] = useState<AssetItem[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [uploads, setUploads] = useState<UploadState[]>([]);
  const [selected, setSelected] = useState<string[]>([]);
  const [version, setVersion] = useState(0);
  const picker = useRef<HTMLInputElement>(null);

  useEffect(() => {
    let live = true;
    library.listAssets(filters).then(
      (page) => live && (setAssets(page.assets), setCursor(page.next_cursor), setError(null)),
      (err) => live && setError((err as Error).message),
    );
    return () => {
      live = false;
    };
  }, [filters, version]);

  // A video's poster follows its upload by a few seconds: look again while one is missing.
  useEffect(() => {
    if (!assets.some((a) => a.kind === 'video' && !a.poster)) return;
    const t = setTimeout(() => setVersion((v) => v + 1), 2000);
    return () => clearTimeout(t);
  }, [assets]);

  const more = async () => {
    if (!cursor) return;
    const page = await library.listAssets(filters, cursor);
    setAssets([...assets, ...page.assets]);
    setCursor(page.next_cursor);
  };

  const uploadAll = useCallback(async (files: File[]) => {
    setUploads(files.map((f) => ({ name: f.name, progress: 0, done: false })));
    const update = (i: number, patch: Partial<UploadState>) =>
      setUploads((list) => list.map((u, j) => (j === i ? { ...u, ...patch } : u)));
    await Promise.all(
      files.map((file, i) =>
        uploadWithProgress(file, (progress) => update(i, { progress })).then(
          () => update(i, { progress: 1, done: true }),
          (err) => update(i, { error: (err as Error).message, done: true }),
        ),
      ),
    );
    setVersion((v) => v + 1);
  }, []);

  const remove = async (item: AssetItem) => {
    try {
      await library.deleteAsset(item.asset_id);
      setSelected(selected.filter((id) => id !== item.asset_id));
      setVersion((v) => v + 1);
    } catch (err) {
      useUi.getState().toast({ kind: 'error', text: (err as Error).message });
    }
  };

  const toggle = (id: string) =>
    setSelected(selected.includes(id) ? selected.filter((x) => x !== id) : [...selected, id]);

  return (
    <div className="ff-library" data-testid="library-panel">
      <section className="ff-lib-section">
        <div className="ff-lib-row">
          <button type="button" onClick={() => picker.current?.click()} data-testid="library-upload">
            Upload files…
          </button>
          <input
            ref={picker}
            type="file"
            multiple
            hidden
            data-testid="library-file-input"
            onChange={(e) => {
              const files = Array.from(e.target.files ?? []);
              e.target.value = '';
              if (files.length) void uploadAll(files);
            }}
          />
        </div>
        {uploads.map((u) => (
          <div key={u.name} className="ff-upload" data-testid="upload-row" data-name={u.name} data-done={u.done && !u.error}>
            <span className="ff-upload-name">{u.name}</span>
            <progress max={1} value={u.progress} />
            <span className={u.error ? 'ff-error-text' : 'ff-muted'}>
              {u.error ?? (u.done ? 'done' : `${Math.round(u.progress * 100)} %`)}
            </span>
          </div>
        ))}
      </section>

      <section className="ff-lib-section">
        <div className="ff-lib-row">
          <input
            type="search"
            placeholder="Search names…"
            aria-label="Search assets"
            value={filters.q ?? ''}
            onChange={(e) => setFilters({ ...filters, q: e.target.value || undefined })}
          />
          <select
            aria-label="Kind"
            value={filters.kind ?? ''}
            onChange={(e) => setFilters({ ...filters, kind: e.target.value || undefined })}
            data-testid="library-kind"
          >
            <option value="">all kinds</option>
            <option value="image">images</option>
            <option value="video">videos</option>
            <option value="audio">audio</option>
            <option value="other">other</option>
          </select>
          <select
            aria-label="Origin"
            value={filters.origin ?? ''}
            onChange={(e) => setFilters({ ...filters, origin: e.target.value || undefined })}
          >
            <option value="">any origin</option>
            <option value="upload">uploaded</option>
            <option value="run">made by runs</option>
          </select>
        </div>
        {error && <p className="ff-error-text">{error}</p>}
        {!error && assets.length === 0 && <p className="ff-muted">Nothing here yet: upload files above.</p>}
        <div className="ff-gallery" data-testid="gallery">
          {assets.map((item) => (
            <AssetCard
              key={item.asset_id}
              item={item}
              selected={selected.includes(item.asset_id)}
              onToggle={() => toggle(item.asset_id)}
              onDelete={() => void remove(item)}
            />
          ))}
        </div>
        {cursor && (
          <button type="button" onClick={() => void more()}>
            More…
          </button>
        )}
      </section>

      <CollectionsManager selected={selected} onChanged={() => setVersion((v) => v + 1)} />
      <HooksManager />
    </div>
  );
}

function AssetCard({ item, selected, onToggle, onDelete }: {
  item: AssetItem;
  selected: boolean;
  onToggle: () => void;
  onDelete: () => void;
}) {
  const { width, height, duration } = item.metadata;
  const facts = [
    width && height ? `${width}×${height}` : null,
    duration !== undefined ? `${duration.toFixed(1)} s` : null,
  ].filter(Boolean);
  return (
    <figure
      className={`ff-card${selected ? ' selected' : ''}`}
      draggable
      onDragStart={(e) => startDrag(e, { what: 'asset', id: item.asset_id, kind: item.kind, name: item.name })}
      data-testid="asset-card"
      data-asset-id={item.asset_id}
      data-kind={item.kind}
      title="Drag onto the canvas to make an input node"
    >
      <div className="ff-card-preview">
        {item.kind === 'image' && <img src={item.url} alt={item.name} loading="lazy" />}
        {item.kind === 'video' &&
          (item.poster ? <img src={item.poster.url} alt={item.name} loading="lazy" /> : <span className="ff-muted">video</span>)}
        {item.kind === 'audio' && <audio src={item.url} controls preload="none" />}
        {item.kind === 'other' && <span className="ff-muted">{item.content_type}</span>}
      </div>
      <figcaption>
        <label>
          <input type="checkbox" checked={selected} onChange={onToggle} aria-label={`select ${item.name}`} />
          <span className="ff-card-name">{item.name}</span>
        </label>
        <span className="ff-muted">{facts.join(' · ')}</span>
        <button type="button" className="ff-link" onClick={onDelete} aria-label={`delete ${item.name}`}>
          delete
        </button>
      </figcaption>
    </figure>
  );
}
