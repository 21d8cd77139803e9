// Toasts when any of the user's runs finishes, from GET /api/events.

import { useEffect } from 'react';
import { api } from '../api/client';
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
      const tell = (name?: string | null) => {
        const ui = useUi.getState();
        const what = name ? `“${name}”` : `Run ${data.run_id}`;
        ui.toast({ kind, text: `${what} ${verb}.`, runId: data.run_id }, 12000);
        ui.bump('runs');
      };
      // Name the graph when the server knows it.
      api.getRun(data.run_id).then(
        (run) => tell(run.name ?? run.graph?.name),
        () => tell(),
      );
    });
    return () => stream.close();
  }, []);
}
