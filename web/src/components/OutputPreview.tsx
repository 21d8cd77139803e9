// A node output inside the node: image, video player, audio player, text or JSON.

import type { AssetRef } from '../api/types';

export function isAssetRef(v: unknown): v is AssetRef {
  return !!v && typeof v === 'object' && typeof (v as AssetRef).url === 'string' && typeof (v as AssetRef).content_type === 'string';
}

export function OutputPreview({ port, value, labelled = false }: { port: string; value: unknown; labelled?: boolean }) {
  const label = labelled ? <div className="ff-output-label">{port}</div> : null;
  if (isAssetRef(value)) {
    const kind = value.content_type.split('/')[0];
    return (
      <div className="ff-output" data-port={port}>
        {label}
        {kind === 'image' && <img className="ff-output-media" src={value.url} alt={`${port} output`} />}
        {kind === 'video' && <video className="ff-output-media" src={value.url} controls preload="metadata" />}
        {kind === 'audio' && <audio className="ff-output-audio" src={value.url} controls preload="metadata" />}
        {!['image', 'video', 'audio'].includes(kind) && (
          <a href={value.url} target="_blank" rel="noreferrer">
            {value.content_type} asset
          </a>
        )}
      </div>
    );
  }
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  return (
    <div className="ff-output" data-port={port}>
      {label}
      <pre className={`ff-output-text${text ? '' : ' empty'}`} title={text}>
        {text || '(empty)'}
      </pre>
    </div>
  );
}
