import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// A fake EventSource that records the URLs it was opened with.
class FakeEventSource {
  static CLOSED = 2;
  static opened: FakeEventSource[] = [];
  readyState = 0;
  onerror: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeEventSource.opened.push(this);
  }
  addEventListener() {}
  close() {
    this.readyState = FakeEventSource.CLOSED;
  }
}

describe('the credential of the canvas', () => {
  beforeEach(() => {
    vi.resetModules();
    vi.useFakeTimers();
    FakeEventSource.opened = [];
    vi.stubGlobal('EventSource', FakeEventSource);
    vi.stubGlobal('localStorage', { removeItem: vi.fn() });
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('renews the access token through the refresh cookie and sends the new one', async () => {
    const fetch = vi.fn(async () => new Response(JSON.stringify({ access_token: 'new-token', refresh_token: 'r', token_type: 'bearer', expires_in: 900 })));
    vi.stubGlobal('fetch', fetch);
    const auth = await import('../src/api/auth');
    auth.setCredential('old-token', 900);
    expect(auth.authHeaders()).toEqual({ Authorization: 'Bearer old-token' });
    expect(await auth.renewSession()).toBe(true);
    expect(fetch).toHaveBeenCalledWith('/api/auth/refresh', { method: 'POST', credentials: 'same-origin' });
    expect(auth.authHeaders()).toEqual({ Authorization: 'Bearer new-token' });
    expect(auth.withKey('/api/events')).toBe('/api/events?key=new-token');
  });

  it('keeps nothing in localStorage, and drops the key older canvases kept there', async () => {
    await import('../src/api/auth');
    expect(localStorage.removeItem).toHaveBeenCalledWith('fusionflow.apiKey');
  });

  it('reopens a refused notifications stream with a renewed token', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify({ access_token: 'fresh', refresh_token: 'r', token_type: 'bearer', expires_in: 900 }))));
    const auth = await import('../src/api/auth');
    const { followUser } = await import('../src/api/stream');
    auth.setCredential('expired', 900);
    const handle = followUser(() => undefined);
    expect(FakeEventSource.opened.map((s) => s.url)).toEqual(['/api/events?key=expired']);
    const first = FakeEventSource.opened[0];
    first.readyState = FakeEventSource.CLOSED;
    first.onerror?.();
    await vi.advanceTimersByTimeAsync(5000);
    expect(FakeEventSource.opened.map((s) => s.url)).toEqual(['/api/events?key=expired', '/api/events?key=fresh']);
    handle.close();
  });
});
