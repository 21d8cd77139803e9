// Server-Sent Event streams: one run's events, and the user's notifications.

import { renewSession } from './auth';
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

/** After the server refused the notifications stream: wait this long, renew the sign-in, open it again. */
const REOPEN_DELAY_MS = 5000;

/**
 * Every event of every run of the user, from now on (GET /api/events). The stream's URL
 * carries a short-lived access token: when a reconnect is refused (the token expired
 * meanwhile), the sign-in is renewed and the stream opened again.
 */
export function followUser(onEvent: (e: RunEvent) => void): StreamHandle {
  let closed = false;
  let source: EventSource;
  const open = () => {
    source = new EventSource(userEventsUrl());
    listen(source, onEvent);
    source.onerror = () => {
      if (closed || source.readyState !== EventSource.CLOSED) return;
      setTimeout(() => {
        if (!closed) void renewSession().then((renewed) => renewed && !closed && open());
      }, REOPEN_DELAY_MS);
    };
  };
  open();
  return {
    close: () => {
      closed = true;
      source.close();
    },
  };
}
