// The library's endpoints (contract section 11): assets, collections, hooks, models,
// and direct uploads with progress.

import { ApiError, request } from './client';
import type { components } from './schema';
import type { AssetRef } from './types';

type Schemas = components['schemas'];

export type AssetKind = Schemas['AssetItem']['kind'];
export type AssetItem = Schemas['AssetItem'];
export type Collection = Schemas['CollectionDocument'];
export type Hook = Schemas['HookDocument'];

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
    request<Schemas['AssetPage']>('GET', `/assets${query({ ...filters, cursor, limit })}`),
  updateAsset: (id: string, patch: { name?: string; tags?: string[]; keep?: boolean }) =>
    request<AssetItem>('PATCH', `/assets/${enc(id)}`, patch),
  deleteAsset: (id: string) => request<void>('DELETE', `/assets/${enc(id)}`),

  listCollections: () =>
    request<Schemas['CollectionPage']>('GET', '/collections?limit=200').then((r) => r.collections),
  createCollection: (name: string, kind: Collection['kind']) =>
    request<Collection>('POST', '/collections', { name, kind }),
  addItems: (id: string, assetIds: string[]) =>
    request<Collection>('POST', `/collections/${enc(id)}/items`, { asset_ids: assetIds }),
  reorder: (id: string, assetIds: string[]) => request<Collection>('PATCH', `/collections/${enc(id)}`, { items: assetIds }),
  removeItem: (id: string, assetId: string) => request<void>('DELETE', `/collections/${enc(id)}/items/${enc(assetId)}`),
  deleteCollection: (id: string) => request<void>('DELETE', `/collections/${enc(id)}`),

  listHooks: (category?: string, q?: string) =>
    request<Schemas['HookPage']>('GET', `/hooks${query({ category, q, limit: 200 })}`).then((r) => r.hooks),
  categories: () =>
    request<Schemas['HookCategories']>('GET', '/hooks/categories').then((r) => r.categories),
  addHook: (text: string, category: string) => request<Hook>('POST', '/hooks', { text, category }),
  importHooks: (texts: string[], category: string) =>
    request<Schemas['HooksCreated']>('POST', '/hooks/import', { texts, category }),
  deleteHook: (id: string) => request<void>('DELETE', `/hooks/${enc(id)}`),

  listModels: () =>
    request<Schemas['ModelPage']>('GET', '/models?limit=200').then((r) => r.models),
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
