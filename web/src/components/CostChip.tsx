// The toolbar's price tag: the estimate of the graph as it is edited (POST /api/runs/estimate,
// debounced, only when nodes, params or wires change), and the real cost of the shown run
// once it has ended.

import { useEffect, useRef, useState } from 'react';
import { api } from '../api/client';
import { isRunFinished } from '../graph/runState';
import { useEditor } from '../store/editor';
import { useRun } from '../store/run';
import { usd } from './money';

const ESTIMATE_DELAY_MS = 400;

export function CostChip() {
  const nodes = useEditor((s) => s.nodes);
  const edges = useEditor((s) => s.edges);
  const view = useRun((s) => s.view);
  const finishedRun = view && isRunFinished(view) ? view.runId : null;
  const [estimate, setEstimate] = useState<number | null>(null);
  const [runCost, setRunCost] = useState<{ runId: string; cost: number } | null>(null);
  const asked = useRef('');

  useEffect(() => {
    const timer = setTimeout(() => {
      const doc = useEditor.getState().document();
      const key = JSON.stringify([doc.nodes, doc.edges]);
      if (key === asked.current) return;
      asked.current = key;
      if (!doc.nodes.length) {
        setEstimate(null);
        return;
      }
      api.estimateRun(doc).then(
        (answer) => asked.current === key && setEstimate(answer.cost),
        () => asked.current === key && setEstimate(null), // an invalid graph has no price yet
      );
    }, ESTIMATE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [nodes, edges]);

  useEffect(() => {
    if (!finishedRun) return;
    api.getRun(finishedRun).then(
      (run) => setRunCost({ runId: run.id, cost: run.cost }),
      () => undefined,
    );
  }, [finishedRun]);

  return (
    <span className="ff-muted ff-cost" data-testid="cost">
      {estimate !== null && (
        <span title="Estimated cost of this graph" data-testid="estimate">
          est. {usd(estimate)}
        </span>
      )}
      {runCost && runCost.runId === finishedRun && (
        <span title={`What run ${runCost.runId} cost`} data-testid="run-cost">
          {' '}· run {usd(runCost.cost)}
        </span>
      )}
    </span>
  );
}
