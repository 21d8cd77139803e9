// The current canvas survives a reload: it is kept in localStorage.

import type { GraphDocument } from '../api/types';
import { useEditor, type TemplateRef } from './editor';

const KEY = 'fusionflow.canvas';

interface Saved {
  graph: GraphDocument;
  template: TemplateRef | null;
}

export function restoreCanvas(): boolean {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return false;
    const saved = JSON.parse(raw) as Saved;
    if (!saved?.graph || !Array.isArray(saved.graph.nodes)) return false;
    useEditor.getState().load(saved.graph, saved.template ?? null);
    // Loading is not an edit: start the session with an empty undo history.
    useEditor.setState({ history: { past: [], future: [], lastKey: null, lastAt: 0 } });
    return true;
  } catch {
    return false;
  }
}

/** Saves the canvas a moment after each change. Returns the unsubscribe function. */
export function keepCanvas(delayMs = 300): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const save = () => {
    const s = useEditor.getState();
    const saved: Saved = { graph: s.document(), template: s.template };
    try {
      localStorage.setItem(KEY, JSON.stringify(saved));
    } catch {
      // storage full or disabled: the canvas still works, it just won't survive a reload
    }
  };
  const unsubscribe = useEditor.subscribe((s, prev) => {
    if (s.nodes === prev.nodes && s.edges === prev.edges && s.name === prev.name && s.viewport === prev.viewport && s.template === prev.template) return;
    clearTimeout(timer);
    timer = setTimeout(save, delayMs);
  });
  window.addEventListener('beforeunload', save);
  return () => {
    unsubscribe();
    window.removeEventListener('beforeunload', save);
  };
}
