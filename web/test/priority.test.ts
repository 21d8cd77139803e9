import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// The Run button's priority reaches POST /api/runs.
describe('run priority', () => {
  let bodies: Array<Record<string, unknown>>;

  beforeEach(() => {
    vi.resetModules();
    bodies = [];
    vi.stubGlobal('localStorage', { getItem: () => null, setItem: vi.fn(), removeItem: vi.fn() });
    vi.stubGlobal(
      'fetch',
      vi.fn(async (_url: string, init?: RequestInit) => {
        bodies.push(JSON.parse(String(init?.body ?? '{}')));
        // refused, so that nothing follows the run: the request is what is checked here
        return new Response(JSON.stringify({ error: { code: 'unavailable', message: 'down' } }), { status: 503 });
      }),
    );
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('is normal unless chosen, and the chosen one is sent', async () => {
    const { useRun } = await import('../src/store/run');
    await useRun.getState().start();
    useRun.getState().setPriority('high');
    await useRun.getState().start();
    expect(bodies.map((b) => b.priority)).toEqual(['normal', 'high']);
    expect(useRun.getState().priority).toBe('high');
  });
});
