// Server-Sent Event streams: one run's events, and the user's notifications.

import { runEventsUrl, userEventsUrl } from './client';
import { RUN_EVENT_NAMES, TERMINAL_RUN_EVENTS, type RunEvent, type RunEventName } from './types';

export interface StreamHandle {
  close: () => void;
}

function listen(source: EventSource, onEvent: (e: RunEvent) => void): void {
  for (const name of RUN_EVENT_NAMES) {
    source.addEventListener(name, (msg) => {
      try {
        onEvent({ event: name as RunEventName, data: JSON.parse((msg as MessageEvent).data) });
      } catch {
        // a malformed event is ignored; the next one still arrives
      }
    });
  }
}

/**
 * Follows one run's events from the first (the server replays them), until its
 * terminal run event. EventSource reconnects on its own with Last-Event-ID; when
 * the server refuses the stream (closed for good), `onLost` is called.
 */
export function followRun(runId: string, onEvent: (e: RunEvent) => void, onLost: () => void): StreamHandle {
  const source = new EventSource(runEventsUrl(runId));
  let done = false;
  const close = () => {
    done = true;
    source.close();
  };
  listen(source, (e) => {
    if (done) return;
    onEvent(e);
    if (TERMINAL_RUN_EVENTS.includes(e.event)) close();
  });
  source.onerror = () => {
    if (!done && source.readyState === EventSource.CLOSED) {
      done = true;
      onLost();
    }
  };
  return { close };
}

/** Every event of every run of the user, from now on (GET /api/events). */
export function followUser(onEvent: (e: RunEvent) => void): StreamHandle {
  const source = new EventSource(userEventsUrl());
  listen(source, onEvent);
  return { close: () => source.close() };
}
