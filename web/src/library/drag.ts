// Dragging library things onto the canvas: what is carried, and the input node it makes.

import type { DragEvent } from 'react';

export const LIBRARY_MIME = 'application/x-fusionflow-library';

export type LibraryDrag =
  | { what: 'asset'; id: string; kind: string; name: string }
  | { what: 'collection'; id: string }
  | { what: 'hooks'; category: string };

/** The node type and params that a dropped library thing becomes, or null for one no input takes. */
export function nodeForDrop(drag: LibraryDrag | null): { type: string; params: Record<string, unknown> } | null {
  switch (drag?.what) {
    case 'asset':
      return ['image', 'video', 'audio'].includes(drag.kind)
        ? { type: `input.${drag.kind}`, params: { default: drag.id } }
        : null;
    case 'collection':
      return { type: 'input.collection', params: { collection: drag.id } };
    case 'hooks':
      return { type: 'input.hooks', params: { category: drag.category } };
    default:
      return null;
  }
}

export function readDrag(data: string): LibraryDrag | null {
  if (!data) return null;
  try {
    const parsed = JSON.parse(data) as LibraryDrag;
    return parsed && typeof parsed === 'object' && 'what' in parsed ? parsed : null;
  } catch {
    return null;
  }
}

/** Starts dragging a library thing (from the library panel towards the canvas). */
export function startDrag(e: DragEvent, drag: LibraryDrag): void {
  e.dataTransfer.setData(LIBRARY_MIME, JSON.stringify(drag));
  e.dataTransfer.effectAllowed = 'copy';
}
