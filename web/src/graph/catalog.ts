// Lookups over the node catalog of GET /api/nodes.

import type { InputPortSpec, NodeSpec, OutputPortSpec } from '../api/types';

export type CatalogIndex = Record<string, NodeSpec>;

export function indexCatalog(nodes: NodeSpec[]): CatalogIndex {
  return Object.fromEntries(nodes.map((n) => [n.type, n]));
}

export function inputPort(spec: NodeSpec | undefined, name: string | null | undefined): InputPortSpec | undefined {
  return spec?.inputs.find((p) => p.name === name);
}

export function outputPort(spec: NodeSpec | undefined, name: string | null | undefined): OutputPortSpec | undefined {
  return spec?.outputs.find((p) => p.name === name);
}

/** Node types matching a search (type, title, category, description, port types), by category. */
export function groupCatalog(nodes: NodeSpec[], query: string): [string, NodeSpec[]][] {
  const words = query.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const matches = nodes.filter((n) => {
    const hay = [n.type, n.title, n.category, n.description, ...n.inputs.map((p) => p.type), ...n.outputs.map((p) => p.type)]
      .join(' ')
      .toLowerCase();
    return words.every((w) => hay.includes(w));
  });
  const groups = new Map<string, NodeSpec[]>();
  for (const n of matches) {
    const list = groups.get(n.category) ?? [];
    list.push(n);
    groups.set(n.category, list);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([cat, list]) => [cat, list.sort((a, b) => a.title.localeCompare(b.title))]);
}
