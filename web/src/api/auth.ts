// The canvas's credential, in memory only: no long-lived secret where a script on this
// origin could read it. After a sign-in the server keeps the refresh token in an
// HttpOnly cookie (scoped to /api/auth); the short-lived access token lives here and is
// renewed silently a minute before it expires, and at start-up (a reload keeps the
// sign-in). An API key typed into the sign-in dialog is kept here too, for this tab only.
// Sent as `Authorization: Bearer …`, and as `?key=` on the event streams, since
// EventSource cannot send headers.

import type { TokenAnswer } from './types';

let credential: string | null = null;
let renewTimer: ReturnType<typeof setTimeout> | null = null;
let renewing: Promise<boolean> | null = null;

// Canvases before sign-in kept an API key in localStorage: drop it.
try {
  localStorage.removeItem('fusionflow.apiKey');
} catch {
  // storage unavailable: nothing to drop
}

/** Use an access token (renewed before it expires) or, with no expiry, an API key. */
export function setCredential(value: string | null, expiresInSeconds?: number): void {
  credential = value;
  if (renewTimer) clearTimeout(renewTimer);
  renewTimer = null;
  if (value && expiresInSeconds) {
    const inMs = Math.max(5, expiresInSeconds - 60) * 1000;
    renewTimer = setTimeout(() => void renewSession(), inMs);
  }
}

export function hasCredential(): boolean {
  return credential !== null;
}

/** A new access token from the refresh cookie; false when there is no live sign-in. */
export function renewSession(): Promise<boolean> {
  renewing ??= (async () => {
    try {
      const response = await fetch('/api/auth/refresh', { method: 'POST', credentials: 'same-origin' });
      if (!response.ok) return false;
      const answer = (await response.json()) as TokenAnswer;
      setCredential(answer.access_token, answer.expires_in);
      return true;
    } catch {
      return false;
    } finally {
      renewing = null;
    }
  })();
  return renewing;
}

export function authHeaders(): Record<string, string> {
  return credential ? { Authorization: `Bearer ${credential}` } : {};
}

/** `url` with the credential as a query parameter, for EventSource. */
export function withKey(url: string): string {
  return credential ? `${url}${url.includes('?') ? '&' : '?'}key=${encodeURIComponent(credential)}` : url;
}
