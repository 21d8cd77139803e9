// Saving the canvas as a template (a new one, or a new version of the one it came from).

import { api, ApiError } from '../api/client';
import { useEditor } from './editor';
import { useRun } from './run';
import { useUi } from './ui';

export async function saveTemplate(asNew = false, name?: string): Promise<boolean> {
  const editor = useEditor.getState();
  const templateName = (name ?? editor.name).trim() || editor.template?.name || 'Untitled graph';
  if (!editor.name) editor.setName(templateName);
  const graph = useEditor.getState().document();
  const edgeIds = editor.edges.map((e) => e.id);
  try {
    const saved =
      editor.template && !asNew
        ? await api.updateTemplate(editor.template.id, templateName, graph)
        : await api.createTemplate(templateName, graph);
    useEditor.getState().setTemplate({ id: saved.id, name: saved.name, version: saved.version });
    useRun.getState().clearErrors();
    useUi.getState().toast({ kind: 'success', text: `Saved “${saved.name}”, version ${saved.version}` });
    useUi.getState().bump('templates');
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.errors.length) useRun.getState().showValidation(err.errors, edgeIds);
    useUi.getState().toast({ kind: 'error', text: `Not saved: ${(err as Error).message}` }, 12000);
    return false;
  }
}
