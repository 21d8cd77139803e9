// Picks one of the user's collections, hooks categories or trained models for a param
// whose schema `format` names it (`collection_id`, `hook_category`, `model_id`).

import { useEffect, useState } from 'react';
import { library } from '../api/library';
import type { LibraryRef } from '../graph/schemaForm';

interface Option {
  value: string;
  label: string;
}

const LOADERS: Record<LibraryRef, () => Promise<Option[]>> = {
  collection_id: () =>
    library.listCollections().then((list) => list.map((c) => ({ value: c.id, label: `${c.name} (${c.count} ${c.kind})` }))),
  hook_category: () => library.categories().then((list) => list.map((c) => ({ value: c.name, label: `${c.name} (${c.count})` }))),
  model_id: () => library.listModels().then((list) => list.map((m) => ({ value: m.id, label: m.name }))),
};

export function LibraryRefPicker({ what, value, onChange, id }: {
  what: LibraryRef;
  value: string | undefined;
  onChange: (value: string | undefined) => void;
  id: string;
}) {
  const [options, setOptions] = useState<Option[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    LOADERS[what]().then(
      (list) => live && (setOptions(list), setError(null)),
      (err) => live && setError((err as Error).message),
    );
    return () => {
      live = false;
    };
  }, [what]);

  const known = !value || options.some((o) => o.value === value);
  return (
    <>
      <select id={id} value={value ?? ''} onChange={(e) => onChange(e.target.value || undefined)} data-library-ref={what}>
        <option value="">(not set)</option>
        {!known && <option value={value}>{value}</option>}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {error && <div className="ff-field-error">{error}</div>}
    </>
  );
}
