// Toasts when any of the user's runs finishes, from GET /api/events.

import { useEffect } from 'react';
import { followUser } from '../api/stream';
import { TERMINAL_RUN_EVENTS } from '../api/types';
import { useUi } from '../store/ui';

const WORDS: Record<string, [string, 'success' | 'error' | 'info']> = {
  'run.succeeded': ['finished', 'success'],
  'run.failed': ['failed', 'error'],
  'run.cancelled': ['was cancelled', 'info'],
};

export function useNotifications() {
  useEffect(() => {
    const seen = new Set<string>();
    const stream = followUser(({ event, data }) => {
      if (!TERMINAL_RUN_EVENTS.includes(event) || seen.has(data.run_id)) return;
      seen.add(data.run_id);
      const [verb, kind] = WORDS[event];
      const ui = useUi.getState();
      ui.toast({ kind, text: `Run ${data.run_id} ${verb}.`, runId: data.run_id }, 12000);
      ui.bump('runs');
    });
    return () => stream.close();
  }, []);
}
