// Provider models of GET /api/catalog/models that the canvas has seen, by id: a `fal.run`
// node's arguments form comes from its app's input schema.

import { create } from 'zustand';
import { api } from '../api/client';
import type { CatalogModel } from '../api/types';

interface ModelsState {
  byId: Record<string, CatalogModel>;
  remember: (models: CatalogModel[]) => void;
  /** Looks `id` up in the catalog when it is not known yet. */
  ensure: (id: string) => void;
}

const asked = new Set<string>();

export const useModels = create<ModelsState>((set, get) => ({
  byId: {},
  remember: (models) => set({ byId: { ...get().byId, ...Object.fromEntries(models.map((m) => [m.id, m])) } }),
  ensure: (id) => {
    if (!id || get().byId[id] || asked.has(id)) return;
    asked.add(id);
    api.searchModels(id, '', 200).then(
      (models) => get().remember(models.filter((m) => m.id === id)),
      () => asked.delete(id),
    );
  },
}));
