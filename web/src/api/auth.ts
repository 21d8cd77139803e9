// The API key, when the server has authentication on (FUSIONFLOW_AUTH=required).
// Kept in localStorage; sent as `Authorization: Bearer <key>`, and as `?key=` on
// event streams, since EventSource cannot send headers.

const KEY = 'fusionflow.apiKey';

export function apiKey(): string | null {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function setApiKey(key: string | null): void {
  if (key) localStorage.setItem(KEY, key);
  else localStorage.removeItem(KEY);
}

export function authHeaders(): Record<string, string> {
  const key = apiKey();
  return key ? { Authorization: `Bearer ${key}` } : {};
}

/** `url` with the key as a query parameter, for EventSource. */
export function withKey(url: string): string {
  const key = apiKey();
  return key ? `${url}${url.includes('?') ? '&' : '?'}key=${encodeURIComponent(key)}` : url;
}
