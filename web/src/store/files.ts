// Opening graphs from outside the canvas (a file, a drop, a paste, an example) and
// saving the canvas as a JSON file.

import type { GraphDocument } from '../api/types';
import { fileName, parseGraph } from '../graph/importGraph';
import { useEditor } from './editor';
import { useRun } from './run';
import { useUi } from './ui';

/** Puts `doc` on the canvas (undoable), as a graph not yet saved as a template. */
export function openGraph(doc: GraphDocument, what: string): void {
  useEditor.getState().load(doc, null);
  useRun.getState().clearErrors();
  useUi.getState().toast({ kind: 'success', text: `Opened ${what}` });
}

/** Opens the graph in `text`; says what is wrong (and changes nothing) when it is not one. */
export function importText(text: string, source: string): boolean {
  try {
    const doc = parseGraph(text);
    openGraph(doc, doc.name ? `“${doc.name}” from ${source}` : source);
    return true;
  } catch (err) {
    useUi.getState().toast({ kind: 'error', text: `Cannot import ${source}: ${(err as Error).message}` }, 12000);
    return false;
  }
}

export async function importFile(file: File): Promise<boolean> {
  return importText(await file.text(), file.name);
}

/** Downloads the canvas as `<name>.json`. */
export function exportGraph(): void {
  const doc = useEditor.getState().document();
  const blob = new Blob([JSON.stringify(doc, null, 2) + '\n'], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const link = Object.assign(document.createElement('a'), { href: url, download: fileName(doc.name) });
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
