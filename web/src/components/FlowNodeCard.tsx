// One node on the canvas: its ports (coloured by type), run badge, progress,
// error, output previews and validation errors.

import { Handle, Position, type NodeProps } from '@xyflow/react';
import { memo, useMemo } from 'react';
import type { ValidationError } from '../api/types';
import { portErrors } from '../graph/errors';
import type { FlowNode } from '../graph/model';
import { portColour } from '../graph/ports';
import { badgeLabel } from '../graph/runState';
import { runNodeId, specOf, subgraphRun, TEMPLATE_NODE } from '../graph/subgraph';
import { useEditor } from '../store/editor';
import { useCatalog } from '../store/catalog';
import { useRun } from '../store/run';
import { OutputPreview } from './OutputPreview';

const NONE: ValidationError[] = [];

function FlowNodeCardImpl({ id, data, selected }: NodeProps<FlowNode>) {
  const spec = useCatalog((s) => specOf(s.byType, data));
  const scope = useEditor((s) => s.scope);
  const runScope = useRun((s) => s.scope);
  const runId = runNodeId(scope, runScope, id);
  const own = useRun((s) => (runId === null ? undefined : s.view?.nodes[runId]));
  const view = useRun((s) => (data.type === TEMPLATE_NODE ? s.view : null));
  const run = useMemo(() => own ?? (view && runId !== null ? subgraphRun(view.nodes, runId) : undefined), [own, view, runId]);
  const errors = useRun((s) => s.errors.byNode[id]) ?? NONE;
  const status = run?.status ?? 'idle';
  const inputs = spec?.inputs ?? [];
  const outputs = spec?.outputs ?? [];
  const rows = Math.max(inputs.length, outputs.length);

  return (
    <div
      className={`ff-node status-${status}${selected ? ' selected' : ''}${errors.length ? ' has-errors' : ''}`}
      data-testid={`node-${id}`}
      data-node-id={id}
      data-status={status}
      data-cached={run?.cached ? 'true' : undefined}
    >
      <header className="ff-node-head">
        <div className="ff-node-title">
          <span className="ff-node-type">{spec?.title ?? data.type}</span>
          <span className="ff-node-id">{id}</span>
        </div>
        {run && (
          <span className={`ff-badge badge-${status}${run.cached ? ' badge-cached' : ''}`} data-testid="badge">
            {badgeLabel(run)}
          </span>
        )}
      </header>
      {!spec && <div className="ff-node-warn">unknown node type {data.type}</div>}
      <div className="ff-ports">
        {Array.from({ length: rows }, (_, i) => {
          const inp = inputs[i];
          const out = outputs[i];
          const inErr = inp ? portErrors(errors, inp.name) : NONE;
          const outErr = out ? portErrors(errors, out.name) : NONE;
          return (
            <div className="ff-port-row" key={i}>
              {inp ? (
                <div className={`ff-port in${inErr.length ? ' port-error' : ''}`} title={inErr.map((e) => e.message).join('\n') || `${inp.name}: ${inp.type}`}>
                  <Handle
                    type="target"
                    position={Position.Left}
                    id={inp.name}
                    className={`ff-handle type-${inp.type}${inp.multiple ? ' multiple' : ''}`}
                    style={{ background: portColour(inp.type) }}
                    data-port={inp.name}
                    data-port-type={inp.type}
                  />
                  <span className="ff-port-name">
                    {inp.name}
                    {inp.required ? '' : '?'}
                    {inp.multiple ? ' [ ]' : ''}
                  </span>
                  <span className="ff-port-type">{inp.type}</span>
                </div>
              ) : (
                <div />
              )}
              {out ? (
                <div className={`ff-port out${outErr.length ? ' port-error' : ''}`} title={`${out.name}: ${out.type}`}>
                  <span className="ff-port-type">{out.type}</span>
                  <span className="ff-port-name">{out.name}</span>
                  <Handle
                    type="source"
                    position={Position.Right}
                    id={out.name}
                    className={`ff-handle type-${out.type}`}
                    style={{ background: portColour(out.type) }}
                    data-port={out.name}
                    data-port-type={out.type}
                  />
                </div>
              ) : (
                <div />
              )}
            </div>
          );
        })}
      </div>
      {run && status === 'running' && (
        <div className="ff-progress" data-testid="progress">
          <div className="ff-progress-bar" style={{ width: `${Math.round((run.progress ?? 0) * 100)}%` }} />
        </div>
      )}
      {run?.message && (status === 'running' || status === 'queued') && <div className="ff-node-msg">{run.message}</div>}
      {run && run.cost > 0 && (
        <div className="ff-node-cost" data-testid="node-cost" title="What this node cost (USD)">
          ${run.cost < 0.01 ? run.cost.toFixed(4) : run.cost.toFixed(2)}
        </div>
      )}
      {run?.error && (
        <div className="ff-node-error" data-testid="node-error">
          {run.error.message}
        </div>
      )}
      {errors.length > 0 && (
        <ul className="ff-node-errors" data-testid="validation-errors">
          {errors.map((e, i) => (
            <li key={i} data-code={e.code}>
              {e.message}
            </li>
          ))}
        </ul>
      )}
      {run?.outputs && status === 'succeeded' && (
        <div className="ff-outputs nodrag nowheel">
          {Object.entries(run.outputs).map(([port, value], _, all) => (
            <OutputPreview key={port} port={port} value={value} labelled={all.length > 1} />
          ))}
        </div>
      )}
    </div>
  );
}

export const FlowNodeCard = memo(FlowNodeCardImpl);
