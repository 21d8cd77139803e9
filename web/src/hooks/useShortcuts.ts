// Keyboard shortcuts of the editor (not while typing in a field).

import { useReactFlow } from '@xyflow/react';
import { useEffect } from 'react';
import { useEditor } from '../store/editor';
import { useRun } from '../store/run';
import { importText } from '../store/files';
import { saveTemplate } from '../store/templates';

function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
}

export function useShortcuts() {
  const rf = useReactFlow();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      // Run and save work everywhere, even from a field.
      if (mod && key === 'enter') {
        e.preventDefault();
        void useRun.getState().start();
        return;
      }
      if (mod && key === 's') {
        e.preventDefault();
        void saveTemplate(false);
        return;
      }
      if (typing(e.target)) return;
      const ed = useEditor.getState();
      const act = (fn: () => void) => {
        e.preventDefault();
        fn();
      };
      if (mod && key === 'z' && !e.shiftKey) return act(ed.undo);
      if ((mod && key === 'z' && e.shiftKey) || (mod && key === 'y')) return act(ed.redo);
      if (mod && key === 'c') return act(ed.copy);
      if (mod && key === 'x') return act(ed.cut);
      if (mod && key === 'a') return act(ed.selectAll);
      if (!mod && (e.key === 'Delete' || e.key === 'Backspace')) return act(ed.deleteSelected);
      if (!mod && key === 'f') return act(() => void rf.fitView({ padding: 0.2, duration: 200 }));
      if (e.key === 'Escape') return act(() => ed.selectOnly(''));
    };
    // Ctrl+V is left to the browser, which sends a paste event with the clipboard:
    // graph JSON opens as a graph; anything else pastes the canvas's own copied nodes.
    const onPaste = (e: ClipboardEvent) => {
      if (typing(e.target)) return;
      e.preventDefault();
      const text = e.clipboardData?.getData('text/plain')?.trim() ?? '';
      if (text.startsWith('{')) importText(text, 'the clipboard');
      else useEditor.getState().paste();
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('paste', onPaste);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('paste', onPaste);
    };
  }, [rf]);
}
