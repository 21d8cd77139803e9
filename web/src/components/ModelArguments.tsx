// The arguments form of a `fal.run` node, from its app's input schema in the model catalog.

import { useEffect, useMemo } from 'react';
import { fieldsFor } from '../graph/schemaForm';
import { useEditor } from '../store/editor';
import { useModels } from '../store/models';
import { ParamField } from './ParamField';

export function ModelArguments({ nodeId }: { nodeId: string }) {
  const node = useEditor((s) => s.nodes.find((n) => n.id === nodeId));
  const app = typeof node?.data.params.app === 'string' ? node.data.params.app : '';
  const model = useModels((s) => s.byId[app]);
  useEffect(() => useModels.getState().ensure(app), [app]);
  const fields = useMemo(
    () =>
      model
        ? fieldsFor({
            type: 'fal.model', title: model.title, category: model.category, description: '', params: model.input_schema,
            inputs: [], outputs: [], cacheable: false, cacheable_when: null, mapped_over: null, long: true,
          })
        : [],
    [model],
  );
  if (!node || !model) return null;
  const args = (node.data.params.arguments ?? {}) as Record<string, unknown>;
  const setArgument = (name: string, value: unknown) => {
    const next = { ...args };
    if (value === undefined) delete next[name];
    else next[name] = value;
    useEditor.getState().setParam(nodeId, 'arguments', Object.keys(next).length ? next : undefined);
  };

  return (
    <section className="ff-model-arguments" data-testid="model-arguments" data-model-id={model.id}>
      <h3>Arguments of {model.title}</h3>
      <p className="ff-muted">
        {model.category}
        {model.description ? ` · ${model.description}` : ''}
      </p>
      <p className="ff-muted">Connected inputs fill prompt, image_url, video_url and audio_url.</p>
      <form className="ff-form" onSubmit={(e) => e.preventDefault()} data-testid="arguments-form">
        {fields.map((f) => (
          <ParamField key={`${nodeId}:${model.id}:${f.name}`} field={f} value={args[f.name]} onChange={(v) => setArgument(f.name, v)} />
        ))}
      </form>
    </section>
  );
}
