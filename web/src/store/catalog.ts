// The node catalog, loaded once from GET /api/nodes.

import { create } from 'zustand';
import { api } from '../api/client';
import type { NodeSpec } from '../api/types';
import { indexCatalog, type CatalogIndex } from '../graph/catalog';

interface CatalogState {
  nodes: NodeSpec[];
  byType: CatalogIndex;
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  load: () => Promise<void>;
}

export const useCatalog = create<CatalogState>((set, get) => ({
  nodes: [],
  byType: {},
  status: 'idle',
  error: null,
  load: async () => {
    if (get().status === 'loading') return;
    set({ status: 'loading', error: null });
    try {
      const nodes = await api.catalog();
      set({ nodes, byType: indexCatalog(nodes), status: 'ready' });
    } catch (err) {
      set({ status: 'error', error: (err as Error).message });
    }
  },
}));
