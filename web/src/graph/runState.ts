// The state of one run as the canvas shows it, built from the run's events
// (or from a run object). Pure: applyEvent(view, event) -> view.

import type { NodeError, NodeStatus, Run, RunEvent, RunStatus } from '../api/types';

export interface NodeRunView {
  status: NodeStatus;
  progress: number | null;
  message: string | null;
  cached: boolean;
  attempts: number;
  error: NodeError | null;
  outputs: Record<string, unknown> | null;
  /** What the node cost (USD), known from the run document once the run has ended. */
  cost: number;
  /** Set while a retry is pending (after node.retrying, until the node starts again). */
  retrying: { attempt: number; delayMs: number | null; error: NodeError | null } | null;
}

export interface RunView {
  runId: string;
  status: RunStatus;
  /** Seq of the last event applied; events at or below it are ignored. */
  lastSeq: number;
  nodes: Record<string, NodeRunView>;
  outputs: Record<string, Record<string, unknown>>;
}

export const TERMINAL_NODE_STATUSES: readonly NodeStatus[] = ['succeeded', 'failed', 'skipped', 'cancelled'];
export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = ['succeeded', 'failed', 'cancelled'];

export function isRunFinished(view: RunView | null | undefined): boolean {
  return !!view && TERMINAL_RUN_STATUSES.includes(view.status);
}

export function emptyNode(status: NodeStatus = 'pending'): NodeRunView {
  return {
    status, progress: null, message: null, cached: false, attempts: 0, error: null, outputs: null, cost: 0,
    retrying: null,
  };
}

/** A fresh view of a run whose events are about to be replayed: known nodes `pending`. */
export function newRunView(runId: string, nodeIds: Iterable<string> = []): RunView {
  const nodes: Record<string, NodeRunView> = {};
  for (const id of nodeIds) nodes[id] = emptyNode();
  return { runId, status: 'queued', lastSeq: 0, nodes, outputs: {} };
}

/** The view of a run object (GET /api/runs/{id}), e.g. a finished run reopened. */
export function viewFromRun(run: Run): RunView {
  const nodes: Record<string, NodeRunView> = {};
  for (const [id, n] of Object.entries(run.nodes ?? {})) {
    nodes[id] = {
      ...emptyNode(n.status),
      progress: n.progress ?? null,
      message: n.message ?? null,
      cached: !!n.cached,
      attempts: n.attempts ?? 0,
      error: n.error ?? null,
      outputs: n.outputs ?? null,
      cost: n.cost ?? 0,
    };
  }
  return { runId: run.id, status: run.status, lastSeq: 0, nodes, outputs: run.outputs ?? {} };
}

/** ``view`` with each node's cost from the run document (events do not carry costs). */
export function withCosts(view: RunView, run: Run): RunView {
  if (run.id !== view.runId) return view;
  const nodes: Record<string, NodeRunView> = { ...view.nodes };
  for (const [id, n] of Object.entries(run.nodes ?? {})) {
    if (nodes[id] && n.cost) nodes[id] = { ...nodes[id], cost: n.cost };
  }
  return { ...view, nodes };
}

function toError(e: unknown): NodeError | null {
  if (e == null) return null;
  if (typeof e === 'string') return { type: 'error', message: e };
  const o = e as Partial<NodeError>;
  return { type: o.type ?? 'error', message: o.message ?? JSON.stringify(e) };
}

/** Applies one event of the run's stream. Events of other runs, or already seen, change nothing. */
export function applyEvent(view: RunView, { event, data }: RunEvent): RunView {
  if (data.run_id !== view.runId) return view;
  if (typeof data.seq === 'number' && data.seq <= view.lastSeq) return view;
  const next: RunView = { ...view, lastSeq: typeof data.seq === 'number' ? data.seq : view.lastSeq };

  switch (event) {
    case 'run.started':
      return { ...next, status: 'running' };
    case 'run.succeeded':
      return { ...next, status: 'succeeded', outputs: (data.outputs as RunView['outputs']) ?? view.outputs };
    case 'run.failed':
      return { ...next, status: 'failed' };
    case 'run.cancelled':
      return { ...next, status: 'cancelled' };
  }

  const id = data.node_id;
  if (!id) return next;
  const node = view.nodes[id] ?? emptyNode();
  let updated: NodeRunView;
  switch (event) {
    case 'node.queued':
      updated = { ...node, status: 'queued' };
      break;
    case 'node.started':
      updated = {
        ...node,
        status: 'running',
        attempts: data.attempt ?? node.attempts + 1,
        progress: null,
        message: null,
        retrying: null,
      };
      break;
    case 'node.progress':
      updated = {
        ...node,
        status: 'running',
        progress: typeof data.progress === 'number' ? Math.max(0, Math.min(1, data.progress)) : node.progress,
        message: data.message ?? node.message,
      };
      break;
    case 'node.retrying':
      updated = {
        ...node,
        status: 'queued',
        retrying: { attempt: data.attempt ?? node.attempts, delayMs: data.delay_ms ?? null, error: toError(data.error) },
        message: toError(data.error)?.message ?? node.message,
      };
      break;
    case 'node.succeeded':
      updated = {
        ...node,
        status: 'succeeded',
        progress: 1,
        cached: !!data.cached,
        outputs: data.outputs ?? {},
        error: null,
        retrying: null,
      };
      break;
    case 'node.failed':
      updated = { ...node, status: 'failed', error: toError(data.error) ?? { type: 'error', message: 'failed' }, retrying: null };
      break;
    case 'node.skipped':
      updated = { ...node, status: 'skipped', retrying: null };
      break;
    case 'node.cancelled':
      updated = { ...node, status: 'cancelled', retrying: null };
      break;
    default:
      return next;
  }
  return { ...next, status: next.status === 'queued' ? 'running' : next.status, nodes: { ...view.nodes, [id]: updated } };
}

/** The label of a node's badge. */
export function badgeLabel(node: NodeRunView): string {
  if (node.status === 'succeeded' && node.cached) return 'cached';
  if (node.retrying && node.status === 'queued') return `retrying (${node.retrying.attempt})`;
  return node.status;
}
