// The side panel of the selected node: its id and its params form.

import { useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ValidationError } from '../api/types';
import { paramErrors } from '../graph/errors';
import { PORT_COLOURS } from '../graph/ports';
import { fieldsFor } from '../graph/schemaForm';
import { specOf } from '../graph/subgraph';
import { useCatalog } from '../store/catalog';
import { useEditor } from '../store/editor';
import { useRun } from '../store/run';
import { ModelArguments } from './ModelArguments';
import { DocText } from './DocText';
import { ParamField } from './ParamField';

const NONE: ValidationError[] = [];

export function NodePanel() {
  const selected = useEditor(useShallow((s) => s.nodes.filter((n) => n.selected).map((n) => n.id)));
  if (selected.length === 1) return <NodeParams nodeId={selected[0]} />;
  return (
    <div className="ff-panel-body">
      {selected.length > 1 ? (
        <p>{selected.length} nodes selected. Delete, copy (Ctrl+C) or move them together.</p>
      ) : (
        <p className="ff-muted">Select a node to edit its params. Drag node types from the palette, or double-click one.</p>
      )}
      <Help />
    </div>
  );
}

function NodeParams({ nodeId }: { nodeId: string }) {
  const node = useEditor((s) => s.nodes.find((n) => n.id === nodeId));
  const spec = useCatalog((s) => specOf(s.byType, node?.data));
  const errors = useRun((s) => s.errors.byNode[nodeId]) ?? NONE;
  const setParam = useEditor((s) => s.setParam);
  const fields = useMemo(() => (spec ? fieldsFor(spec) : []), [spec]);
  if (!node) return null;
  const nodeErrors = errors.filter((e) => !e.param);

  return (
    <div className="ff-panel-body" data-testid="node-panel">
      <h2 className="ff-panel-title">{spec?.title ?? node.data.type}</h2>
      <div className="ff-muted ff-mono">{node.data.type}</div>
      {spec?.description && (
        <p className="ff-description">
          <DocText text={spec.description} />
        </p>
      )}
      <NodeIdField key={node.id} nodeId={node.id} />
      {nodeErrors.length > 0 && (
        <ul className="ff-panel-errors">
          {nodeErrors.map((e, i) => (
            <li key={i}>{e.message}</li>
          ))}
        </ul>
      )}
      <form className="ff-form" onSubmit={(e) => e.preventDefault()} data-testid="params-form">
        {fields.length === 0 && <p className="ff-muted">This node type has no params.</p>}
        {fields.map((f) => (
          <ParamField
            key={`${node.id}:${f.name}`}
            field={f}
            value={node.data.params[f.name]}
            onChange={(v) => setParam(node.id, f.name, v)}
            serverErrors={paramErrors(errors, f.name)}
            placeholder={f.name === 'name' && f.nullable && node.data.type.startsWith('input.') ? node.id : undefined}
          />
        ))}
        {Object.keys(node.data.params)
          .filter((k) => !fields.some((f) => f.name === k))
          .map((k) => (
            <div key={k} className="ff-field has-error">
              <label>{k}</label>
              <div className="ff-field-error">
                not a param of this node type <button type="button" onClick={() => setParam(node.id, k, undefined)}>remove</button>
              </div>
            </div>
          ))}
      </form>
      {node.data.type === 'fal.run' && <ModelArguments nodeId={node.id} />}
    </div>
  );
}

function NodeIdField({ nodeId }: { nodeId: string }) {
  const [draft, setDraft] = useState(nodeId);
  const [error, setError] = useState<string | null>(null);
  const rename = useEditor((s) => s.renameNode);
  const apply = () => {
    const err = rename(nodeId, draft.trim());
    setError(err);
  };
  return (
    <div className="ff-field">
      <label htmlFor="node-id">Node id</label>
      <input
        id="node-id"
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={apply}
        onKeyDown={(e) => e.key === 'Enter' && apply()}
      />
      {error && <div className="ff-field-error">{error}</div>}
    </div>
  );
}

function Help() {
  return (
    <div className="ff-help">
      <h3>Port types</h3>
      <ul className="ff-legend">
        {Object.entries(PORT_COLOURS).map(([type, colour]) => (
          <li key={type}>
            <i style={{ background: colour }} /> {type}
          </li>
        ))}
      </ul>
      <p className="ff-muted">Ports connect when their types match, or when either is “any”.</p>
      <h3>Keys</h3>
      <table className="ff-keys">
        <tbody>
          {[
            ['Ctrl+Enter', 'run'],
            ['Ctrl+S', 'save template'],
            ['Ctrl+Z / Ctrl+Shift+Z', 'undo / redo'],
            ['Ctrl+C / X / V', 'copy / cut / paste'],
            ['Ctrl+A', 'select all'],
            ['Delete', 'delete selection'],
            ['Shift+drag', 'box select'],
            ['Ctrl+click', 'add to selection'],
            ['F', 'fit view'],
            ['Esc', 'clear selection'],
          ].map(([k, v]) => (
            <tr key={k}>
              <td>
                <kbd>{k}</kbd>
              </td>
              <td>{v}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
