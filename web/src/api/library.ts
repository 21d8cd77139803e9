// The library's endpoints (contract section 11): assets, collections, hooks, models,
// and direct uploads with progress.

import { ApiError, request } from './client';
import type { AssetRef } from './types';

export type AssetKind = 'image' | 'video' | 'audio' | 'other';

export interface AssetItem extends AssetRef {
  name: string;
  kind: AssetKind;
  tags: string[];
  created_at: string;
  expires_at: string | null;
  keep: boolean;
  origin: { type: 'upload' } | { type: 'run'; run_id: string; node_id: string };
  metadata: { width?: number; height?: number; duration?: number; codec?: string };
  poster?: AssetRef | null;
}

export interface Collection {
  id: string;
  name: string;
  kind: 'image' | 'video' | 'audio';
  items: AssetItem[];
  count: number;
  created_at: string;
}

export interface Hook {
  id: string;
  text: string;
  category: string;
  created_at: string;
}

export interface AssetFilters {
  kind?: string;
  q?: string;
  origin?: string;
  collection?: string;
  tag?: string;
}

const enc = encodeURIComponent;

function query(params: Record<string, string | number | undefined | null>): string {
  const parts = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${k}=${enc(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

export const library = {
  listAssets: (filters: AssetFilters, cursor?: string | null, limit = 60) =>
    request<{ assets: AssetItem[]; next_cursor: string | null }>('GET', `/assets${query({ ...filters, cursor, limit })}`),
  updateAsset: (id: string, patch: { name?: string; tags?: string[]; keep?: boolean }) =>
    request<AssetItem>('PATCH', `/assets/${enc(id)}`, patch),
  deleteAsset: (id: string) => request<void>('DELETE', `/assets/${enc(id)}`),

  listCollections: () =>
    request<{ collections: Collection[] }>('GET', '/collections?limit=200').then((r) => r.collections),
  createCollection: (name: string, kind: Collection['kind']) =>
    request<Collection>('POST', '/collections', { name, kind }),
  addItems: (id: string, assetIds: string[]) =>
    request<Collection>('POST', `/collections/${enc(id)}/items`, { asset_ids: assetIds }),
  reorder: (id: string, assetIds: string[]) => request<Collection>('PATCH', `/collections/${enc(id)}`, { items: assetIds }),
  removeItem: (id: string, assetId: string) => request<void>('DELETE', `/collections/${enc(id)}/items/${enc(assetId)}`),
  deleteCollection: (id: string) => request<void>('DELETE', `/collections/${enc(id)}`),

  listHooks: (category?: string, q?: string) =>
    request<{ hooks: Hook[] }>('GET', `/hooks${query({ category, q, limit: 200 })}`).then((r) => r.hooks),
  categories: () =>
    request<{ categories: { name: string; count: number }[] }>('GET', '/hooks/categories').then((r) => r.categories),
  addHook: (text: string, category: string) => request<Hook>('POST', '/hooks', { text, category }),
  importHooks: (texts: string[], category: string) =>
    request<{ created: number }>('POST', '/hooks/import', { texts, category }),
  deleteHook: (id: string) => request<void>('DELETE', `/hooks/${enc(id)}`),

  listModels: () =>
    request<{ models: { id: string; name: string; trigger_word: string }[] }>('GET', '/models?limit=200').then(
      (r) => r.models,
    ),
};

/** Uploads a file straight to storage (a presigned PUT), reporting progress from 0 to 1,
 * then registers it as an asset. */
export async function uploadWithProgress(file: File, onProgress: (fraction: number) => void): Promise<AssetRef> {
  const contentType = file.type || 'application/octet-stream';
  const upload = await request<{ upload_id: string; url: string; method: string; headers: Record<string, string> }>(
    'POST',
    '/assets/uploads',
    { content_type: contentType, filename: file.name },
  );
  await new Promise<void>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(upload.method || 'PUT', upload.url);
    for (const [k, v] of Object.entries(upload.headers ?? {})) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () =>
      xhr.status >= 200 && xhr.status < 300 ? resolve() : reject(new ApiError(xhr.status, `upload failed (${xhr.status})`));
    xhr.onerror = () => reject(new ApiError(0, 'upload failed: the storage did not answer'));
    xhr.send(file);
  });
  onProgress(1);
  return request<AssetRef>('POST', `/assets/uploads/${enc(upload.upload_id)}/complete`);
}
