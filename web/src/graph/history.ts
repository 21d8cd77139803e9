// Undo and redo over snapshots of the graph. Pure: each function returns a new History.

export interface History<T> {
  past: T[];
  future: T[];
  /** Key and time of the last recorded change, to merge runs of small edits (typing). */
  lastKey: string | null;
  lastAt: number;
}

export const HISTORY_LIMIT = 100;
export const MERGE_WINDOW_MS = 1500;

export function emptyHistory<T>(): History<T> {
  return { past: [], future: [], lastKey: null, lastAt: 0 };
}

/**
 * Records `current` as the state before a change. A change with the same `key`
 * as the previous one, within MERGE_WINDOW_MS, merges into it (nothing recorded).
 */
export function record<T>(h: History<T>, current: T, key: string | null = null, now = Date.now()): History<T> {
  if (key !== null && key === h.lastKey && now - h.lastAt < MERGE_WINDOW_MS) {
    return { ...h, lastAt: now };
  }
  const past = [...h.past, current].slice(-HISTORY_LIMIT);
  return { past, future: [], lastKey: key, lastAt: now };
}

export function undo<T>(h: History<T>, current: T): { history: History<T>; state: T } | null {
  if (!h.past.length) return null;
  const state = h.past[h.past.length - 1];
  return { history: { past: h.past.slice(0, -1), future: [current, ...h.future], lastKey: null, lastAt: 0 }, state };
}

export function redo<T>(h: History<T>, current: T): { history: History<T>; state: T } | null {
  if (!h.future.length) return null;
  const [state, ...future] = h.future;
  return { history: { past: [...h.past, current], future, lastKey: null, lastAt: 0 }, state };
}
