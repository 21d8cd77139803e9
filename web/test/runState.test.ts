import { describe, expect, it } from 'vitest';
import type { Run, RunEvent, RunEventName } from '../src/api/types';
import { applyEvent, badgeLabel, isRunFinished, newRunView, viewFromRun, withCosts, type RunView } from '../src/graph/runState';

let seq = 0;
const ev = (event: RunEventName, fields: Record<string, unknown> = {}): RunEvent => ({
  event,
  data: { run_id: 'r_1', seq: ++seq, ts: 't', ...fields },
});
const replay = (events: RunEvent[], start = newRunView('r_1', ['a', 'b'])): RunView => events.reduce(applyEvent, start);

describe('run event reducer', () => {
  it('follows a node from queued to succeeded with its outputs', () => {
    seq = 0;
    const image = { asset_id: 'a_1', url: 'http://x/a_1', content_type: 'image/png' };
    const view = replay([
      ev('run.started'),
      ev('node.queued', { node_id: 'a' }),
      ev('node.started', { node_id: 'a', attempt: 1 }),
      ev('node.progress', { node_id: 'a', progress: 0.5, message: 'step 2 of 4' }),
    ]);
    expect(view.status).toBe('running');
    expect(view.nodes.a).toMatchObject({ status: 'running', progress: 0.5, message: 'step 2 of 4', attempts: 1 });
    expect(view.nodes.b.status).toBe('pending');

    const done = replay([ev('node.succeeded', { node_id: 'a', outputs: { image }, cached: false })], view);
    expect(done.nodes.a).toMatchObject({ status: 'succeeded', outputs: { image }, cached: false, progress: 1 });
    expect(badgeLabel(done.nodes.a)).toBe('succeeded');
  });

  it('marks cached successes', () => {
    seq = 0;
    const view = replay([ev('node.succeeded', { node_id: 'a', outputs: { text: 'x' }, cached: true })]);
    expect(view.nodes.a.cached).toBe(true);
    expect(badgeLabel(view.nodes.a)).toBe('cached');
  });

  it('records failures, retries, skips and cancellations', () => {
    seq = 0;
    const view = replay([
      ev('run.started'),
      ev('node.started', { node_id: 'a', attempt: 1 }),
      ev('node.retrying', { node_id: 'a', attempt: 1, error: { type: 'transient', message: 'rate limited' }, delay_ms: 500 }),
    ]);
    expect(view.nodes.a.retrying).toEqual({ attempt: 1, delayMs: 500, error: { type: 'transient', message: 'rate limited' } });
    expect(badgeLabel(view.nodes.a)).toBe('retrying (1)');

    const after = replay(
      [
        ev('node.started', { node_id: 'a', attempt: 2 }),
        ev('node.failed', { node_id: 'a', error: { type: 'node_error', message: 'boom' } }),
        ev('node.skipped', { node_id: 'b' }),
        ev('node.cancelled', { node_id: 'c' }),
        ev('run.failed'),
      ],
      view,
    );
    expect(after.nodes.a).toMatchObject({ status: 'failed', attempts: 2, error: { type: 'node_error', message: 'boom' }, retrying: null });
    expect(after.nodes.b.status).toBe('skipped');
    expect(after.nodes.c.status).toBe('cancelled');
    expect(after.status).toBe('failed');
    expect(isRunFinished(after)).toBe(true);
  });

  it('accepts a string error', () => {
    seq = 0;
    const view = replay([ev('node.failed', { node_id: 'a', error: 'plain' })]);
    expect(view.nodes.a.error).toEqual({ type: 'error', message: 'plain' });
  });

  it('ignores repeated events and events of other runs', () => {
    seq = 0;
    const started = ev('node.started', { node_id: 'a', attempt: 1 });
    const once = replay([started]);
    expect(applyEvent(once, started)).toBe(once);
    const other: RunEvent = { event: 'node.failed', data: { run_id: 'r_2', seq: 99, node_id: 'a' } };
    expect(applyEvent(once, other)).toBe(once);
  });

  it('ends with the run outputs on run.succeeded', () => {
    seq = 0;
    const view = replay([ev('run.started'), ev('run.succeeded', { outputs: { b: { text: 'hi' } } })]);
    expect(view.status).toBe('succeeded');
    expect(view.outputs).toEqual({ b: { text: 'hi' } });
  });

  it('builds a view from a run object', () => {
    const run: Run = {
      id: 'r_9',
      status: 'succeeded',
      graph_id: null,
      graph_version: null,
      schedule_id: null,
      priority: 'normal',
      created_at: 't',
      finished_at: 't',
      nodes: {
        a: {
          status: 'succeeded', cached: true, attempts: 1, outputs: { text: 'x' }, error: null, progress: 1,
          message: null, started_at: 't', finished_at: 't', cost: 0, type: 'text.join',
        },
      },
      outputs: { a: { text: 'x' } },
      inputs: {},
      cost: 0,
      name: null,
    };
    const view = viewFromRun(run);
    expect(view.nodes.a).toMatchObject({ status: 'succeeded', cached: true, outputs: { text: 'x' } });
    expect(isRunFinished(view)).toBe(true);
  });
});

describe('node costs', () => {
  it('come from the run document once the run has ended', () => {
    const base = {
      id: 'r_c', status: 'succeeded' as const, graph_id: null, graph_version: null, created_at: 't', finished_at: 't',
      outputs: {}, inputs: {}, cost: 0.05, name: null, schedule_id: null, priority: 'normal' as const,
    };
    const node = {
      status: 'succeeded' as const, cached: false, attempts: 1, outputs: null, error: null, progress: 1,
      message: null, started_at: 't', finished_at: 't', type: 'fal.run',
    };
    const view = viewFromRun({ ...base, nodes: { a: { ...node, cost: 0 } } });
    expect(view.nodes.a.cost).toBe(0);
    const priced = withCosts(view, { ...base, nodes: { a: { ...node, cost: 0.05 } } });
    expect(priced.nodes.a.cost).toBe(0.05);
    expect(withCosts(view, { ...base, id: 'r_other', nodes: { a: { ...node, cost: 1 } } })).toBe(view);
  });
});
