// Toasts and which side panel is open.

import { create } from 'zustand';

export type PanelTab = 'node' | 'inputs' | 'templates' | 'history' | 'library';

export interface Toast {
  id: number;
  kind: 'info' | 'success' | 'error';
  text: string;
  /** A run the toast links to ("Open result"). */
  runId?: string;
}

interface UiState {
  tab: PanelTab;
  toasts: Toast[];
  /** Bumped when the lists of templates or runs changed on the server. */
  versions: { templates: number; runs: number };
  bump: (list: 'templates' | 'runs') => void;
  setTab: (tab: PanelTab) => void;
  toast: (t: Omit<Toast, 'id'>, ttlMs?: number) => void;
  dismiss: (id: number) => void;
}

let nextId = 1;

export const useUi = create<UiState>((set, get) => ({
  tab: 'node',
  toasts: [],
  versions: { templates: 0, runs: 0 },
  bump: (list) => set({ versions: { ...get().versions, [list]: get().versions[list] + 1 } }),
  setTab: (tab) => set({ tab }),
  toast: (t, ttlMs = 8000) => {
    const id = nextId++;
    set({ toasts: [...get().toasts.slice(-4), { ...t, id }] });
    if (ttlMs > 0) setTimeout(() => get().dismiss(id), ttlMs);
  },
  dismiss: (id) => set({ toasts: get().toasts.filter((t) => t.id !== id) }),
}));
