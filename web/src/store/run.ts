// The run shown on the canvas: submitting, following its events, cancelling,
// and the validation errors of the last refused submission.

import { create } from 'zustand';
import { api, ApiError } from '../api/client';
import { followRun, type StreamHandle } from '../api/stream';
import { TERMINAL_RUN_EVENTS, type Priority, type Run, type ValidationError } from '../api/types';
import { placeErrors, type PlacedErrors } from '../graph/errors';
import {
  applyEvent,
  isRunFinished,
  newRunView,
  TERMINAL_RUN_STATUSES,
  viewFromRun,
  withCosts,
  type RunView,
} from '../graph/runState';
import { useEditor } from './editor';
import { useUi } from './ui';

const CURRENT_RUN_KEY = 'fusionflow.currentRun';

const NO_ERRORS: PlacedErrors = { byNode: {}, byEdge: {}, general: [] };

interface RunState {
  view: RunView | null;
  /** The editor's subgraph scope when the run shown was started (see graph/subgraph.ts runNodeId). */
  scope: string;
  errors: PlacedErrors;
  errorList: ValidationError[];
  submitting: boolean;
  /** The priority the Run button submits with. */
  priority: Priority;
  setPriority: (priority: Priority) => void;
  /** Runs the current canvas graph. */
  start: () => Promise<void>;
  /** Runs a saved template with inputs. */
  startTemplate: (templateId: string, inputs: Record<string, unknown>) => Promise<void>;
  /** Shows a run: its state now, then its events until it ends. */
  attach: (runId: string) => Promise<void>;
  /** Loads a past run's graph onto the canvas, with its outputs. */
  reopen: (runId: string) => Promise<void>;
  cancel: () => Promise<void>;
  clearErrors: () => void;
  /** Puts a 422's errors on the nodes, ports, params and edges they name. */
  showValidation: (errors: ValidationError[], submittedEdgeIds: string[]) => void;
  /** Forgets the run shown (a new, empty canvas). */
  reset: () => void;
  /** Reattaches to the run of the last session (after a reload). */
  resume: () => Promise<void>;
}

let stream: StreamHandle | null = null;

function stopStream() {
  stream?.close();
  stream = null;
}

export const useRun = create<RunState>((set, get) => {
  const reportFailure = (err: unknown, submittedEdgeIds: string[] = []) => {
    if (err instanceof ApiError && err.errors.length) {
      get().showValidation(err.errors, submittedEdgeIds);
      useUi.getState().toast({ kind: 'error', text: `The graph has ${err.errors.length} problem(s): see the marked nodes.` });
    } else {
      useUi.getState().toast({ kind: 'error', text: (err as Error).message }, 12000);
    }
  };

  /** When the event stream is refused: the run's state every second until it ends. */
  const poll = async (runId: string) => {
    for (let delay = 500; get().view?.runId === runId; delay = Math.min(delay * 1.5, 3000)) {
      try {
        const latest = await api.getRun(runId);
        if (get().view?.runId !== runId) return;
        set({ view: viewFromRun(latest) });
        if (TERMINAL_RUN_STATUSES.includes(latest.status)) return;
      } catch (err) {
        useUi.getState().toast({ kind: 'error', text: `lost run ${runId}: ${(err as Error).message}` });
        return;
      }
      await new Promise((r) => setTimeout(r, delay));
    }
  };

  /** Once a run has ended: what each node cost (the run document has it; events do not). */
  const fetchCosts = async (runId: string) => {
    try {
      const latest = await api.getRun(runId);
      const view = get().view;
      if (view && view.runId === runId) set({ view: withCosts(view, latest) });
    } catch {
      // the costs are a nicety: the run's own state is already shown
    }
  };

  /** Follows a run whose events have not been seen yet, replaying from the first. */
  const follow = (run: Run) => {
    stopStream();
    set({ view: newRunView(run.id, Object.keys(run.nodes ?? {})) });
    stream = followRun(
      run.id,
      (event) => {
        const view = get().view;
        if (view && view.runId === run.id) set({ view: applyEvent(view, event) });
        if (TERMINAL_RUN_EVENTS.includes(event.event)) void fetchCosts(run.id);
      },
      () => void poll(run.id),
    );
  };

  const show = (run: Run, scope = '') => {
    set({ scope });
    localStorage.setItem(CURRENT_RUN_KEY, run.id);
    if (TERMINAL_RUN_STATUSES.includes(run.status)) {
      stopStream();
      set({ view: viewFromRun(run) });
    } else {
      follow(run);
    }
  };

  return {
    view: null,
    scope: '',
    errors: NO_ERRORS,
    errorList: [],
    submitting: false,
    priority: 'normal',

    setPriority: (priority) => set({ priority }),

    start: async () => {
      const doc = useEditor.getState().document();
      const edgeIds = useEditor.getState().edges.map((e) => e.id);
      set({ submitting: true, errors: NO_ERRORS, errorList: [] });
      try {
        show(await api.submitRun(doc, {}, get().priority), useEditor.getState().scope);
      } catch (err) {
        reportFailure(err, edgeIds);
      } finally {
        set({ submitting: false });
      }
    },

    startTemplate: async (templateId, inputs) => {
      set({ submitting: true, errors: NO_ERRORS, errorList: [] });
      try {
        show(await api.runTemplate(templateId, inputs));
      } catch (err) {
        reportFailure(err);
      } finally {
        set({ submitting: false });
      }
    },

    attach: async (runId) => {
      show(await api.getRun(runId));
    },

    reopen: async (runId) => {
      try {
        const run = await api.getRun(runId);
        if (run.graph) {
          const template = run.graph_id
            ? { id: run.graph_id, name: run.graph.name ?? run.graph_id, version: run.graph_version ?? 1 }
            : null;
          useEditor.getState().load(run.graph, template);
        } else {
          useUi.getState().toast({ kind: 'info', text: `run ${runId} came without its graph: showing its state only` });
        }
        set({ errors: NO_ERRORS, errorList: [] });
        show(run);
      } catch (err) {
        reportFailure(err);
      }
    },

    cancel: async () => {
      const view = get().view;
      if (!view || isRunFinished(view)) return;
      try {
        await api.cancelRun(view.runId);
      } catch (err) {
        if (!(err instanceof ApiError && err.status === 409)) reportFailure(err);
      }
    },

    clearErrors: () => set({ errors: NO_ERRORS, errorList: [] }),

    showValidation: (errors, submittedEdgeIds) =>
      set({ errors: placeErrors(errors, submittedEdgeIds), errorList: errors }),

    reset: () => {
      stopStream();
      localStorage.removeItem(CURRENT_RUN_KEY);
      set({ view: null, errors: NO_ERRORS, errorList: [] });
    },

    resume: async () => {
      const runId = localStorage.getItem(CURRENT_RUN_KEY);
      if (!runId) return;
      try {
        await get().attach(runId);
      } catch {
        localStorage.removeItem(CURRENT_RUN_KEY);
      }
    },
  };
});
