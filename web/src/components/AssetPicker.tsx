// Picks an asset by id, or uploads a file (POST /api/assets) and takes its id.

import { useEffect, useRef, useState } from 'react';
import { api } from '../api/client';
import type { AssetRef } from '../api/types';

interface Props {
  kind: string; // image, video or audio
  value: string | undefined;
  onChange: (assetId: string | undefined) => void;
  testId?: string;
}

export function AssetPicker({ kind, value, onChange, testId }: Props) {
  const [asset, setAsset] = useState<AssetRef | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const file = useRef<HTMLInputElement>(null);

  useEffect(() => {
    setError(null);
    if (!value) {
      setAsset(null);
      return;
    }
    if (asset?.asset_id === value) return;
    let live = true;
    api.getAsset(value).then(
      (ref) => live && setAsset(ref),
      (err) => live && (setAsset(null), setError((err as Error).message)),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value]);

  const upload = async (f: File) => {
    setBusy(true);
    setError(null);
    try {
      const ref = await api.uploadAsset(f);
      setAsset(ref);
      onChange(ref.asset_id);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="ff-asset" data-testid={testId}>
      <div className="ff-asset-row">
        <input
          type="text"
          value={value ?? ''}
          placeholder="asset id"
          onChange={(e) => onChange(e.target.value.trim() || undefined)}
        />
        <button type="button" onClick={() => file.current?.click()} disabled={busy}>
          {busy ? 'Uploading…' : 'Upload…'}
        </button>
        <input
          ref={file}
          type="file"
          accept={`${kind}/*`}
          hidden
          onChange={(e) => {
            const f = e.target.files?.[0];
            e.target.value = '';
            if (f) void upload(f);
          }}
        />
      </div>
      {error && <div className="ff-field-error">{error}</div>}
      {asset && (
        <div className="ff-asset-preview">
          {asset.content_type.startsWith('image/') && <img src={asset.url} alt="selected asset" />}
          {asset.content_type.startsWith('video/') && <video src={asset.url} controls preload="metadata" />}
          {asset.content_type.startsWith('audio/') && <audio src={asset.url} controls preload="metadata" />}
          <span className="ff-muted">{asset.content_type}
            {asset.size !== undefined ? ` · ${formatSize(asset.size)}` : ''}</span>
        </div>
      )}
    </div>
  );
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
