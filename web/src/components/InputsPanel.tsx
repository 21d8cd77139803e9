// The declared inputs of the template on the canvas: edit them and rerun it.

import { useEffect, useMemo, useState } from 'react';
import { api } from '../api/client';
import type { Template } from '../api/types';
import { fieldForInput } from '../graph/schemaForm';
import { useEditor } from '../store/editor';
import { useRun } from '../store/run';
import { useUi } from '../store/ui';
import { ParamField } from './ParamField';

export function InputsPanel() {
  const current = useEditor((s) => s.template);
  const [template, setTemplate] = useState<Template | null>(null);
  const [values, setValues] = useState<Record<string, unknown>>({});
  const [error, setError] = useState<string | null>(null);
  const submitting = useRun((s) => s.submitting);
  const errorList = useRun((s) => s.errorList);
  const inputErrors = errorList.filter((e) => e.input);

  useEffect(() => {
    setTemplate(null);
    setValues({});
    setError(null);
    if (!current) return;
    let live = true;
    api.getTemplate(current.id).then(
      (t) => live && setTemplate(t),
      (err) => live && setError((err as Error).message),
    );
    return () => {
      live = false;
    };
  }, [current]);

  const fields = useMemo(() => (template?.inputs ?? []).map(fieldForInput), [template]);

  if (!current) {
    return (
      <div className="ff-panel-body">
        <p className="ff-muted">
          Open or save a template to run it with other inputs. Its inputs are its <code>input.*</code> nodes, by their
          <code> name</code>.
        </p>
      </div>
    );
  }

  const run = () => {
    const inputs = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
    void useRun.getState().startTemplate(current.id, inputs);
    useUi.getState().setTab('node');
  };

  return (
    <div className="ff-panel-body" data-testid="inputs-panel">
      <h2 className="ff-panel-title">
        {current.name} <span className="ff-muted">v{template?.version ?? current.version}</span>
      </h2>
      {error && <p className="ff-error-text">{error}</p>}
      {template && fields.length === 0 && <p className="ff-muted">This template declares no inputs.</p>}
      <form className="ff-form" onSubmit={(e) => (e.preventDefault(), run())}>
        {fields.map((f) => (
          <ParamField
            key={`${template?.id}:${template?.version}:${f.name}`}
            field={f}
            value={values[f.name]}
            onChange={(v) => setValues({ ...values, [f.name]: v })}
            serverErrors={inputErrors.filter((e) => e.input === f.name)}
          />
        ))}
        <button type="submit" className="primary" disabled={!template || submitting} data-testid="run-template">
          Run version {template?.version ?? current.version} with these inputs
        </button>
      </form>
      <p className="ff-muted">Runs the saved version; save first to include changes made on the canvas.</p>
    </div>
  );
}
