// One field of a params form, generated from the field spec.

import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { ValidationError } from '../api/types';
import { formatFieldValue, parseFieldInput, type FieldSpec } from '../graph/schemaForm';
import { AssetPicker } from './AssetPicker';
import { LibraryRefPicker } from './LibraryRefPicker';

interface Props {
  field: FieldSpec;
  value: unknown;
  onChange: (value: unknown) => void;
  serverErrors?: ValidationError[];
  placeholder?: string;
}

export function ParamField({ field, value, onChange, serverErrors = [], placeholder }: Props) {
  const external = formatFieldValue(field, value);
  const [draft, setDraft] = useState(external);
  const [localError, setLocalError] = useState<string | null>(null);
  const ref = useRef<HTMLInputElement & HTMLTextAreaElement & HTMLSelectElement>(null);

  // Follow outside changes (undo, another node) unless the user is typing here.
  useEffect(() => {
    if (document.activeElement !== ref.current) {
      setDraft(external);
      setLocalError(null);
    }
  }, [external]);

  const commit = (raw: string | boolean) => {
    if (typeof raw === 'string') setDraft(raw);
    const parsed = parseFieldInput(field, raw);
    if (parsed.ok) {
      setLocalError(null);
      onChange(parsed.value);
    } else {
      setLocalError(parsed.message);
    }
  };

  const isDefault = value === undefined;
  const hint = [
    field.min !== undefined ? `${field.minExclusive ? 'more than' : 'min'} ${field.min}` : '',
    field.max !== undefined ? `${field.maxExclusive ? 'less than' : 'max'} ${field.max}` : '',
    field.default !== undefined && field.default !== null && field.default !== '' ? `default ${JSON.stringify(field.default)}` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  const errors = [...(localError ? [localError] : []), ...serverErrors.map((e) => e.message)];
  const id = `param-${field.name}`;

  let input: ReactNode;
  switch (field.kind) {
    case 'boolean':
      input = (
        <input ref={ref} id={id} type="checkbox" checked={Boolean(value ?? field.default)} onChange={(e) => commit(e.target.checked)} />
      );
      break;
    case 'select':
      input = (
        <select ref={ref} id={id} value={value === undefined ? '' : String(value)} onChange={(e) => commit(e.target.value)}>
          <option value="">{field.default !== undefined && field.default !== null ? `default (${String(field.default)})` : '(not set)'}</option>
          {field.options!.map((o) => (
            <option key={String(o)} value={String(o)}>
              {String(o)}
            </option>
          ))}
        </select>
      );
      break;
    case 'textarea':
    case 'json':
      input = (
        <textarea
          ref={ref}
          id={id}
          rows={field.kind === 'json' ? 4 : 5}
          value={draft}
          placeholder={placeholder}
          spellCheck={field.kind === 'textarea'}
          onChange={(e) => commit(e.target.value)}
        />
      );
      break;
    case 'asset':
      input = (
        <AssetPicker kind={field.assetKind ?? 'image'} value={value as string | undefined} onChange={onChange} testId={`asset-${field.name}`} />
      );
      break;
    case 'library':
      input = <LibraryRefPicker what={field.libraryRef!} value={value as string | undefined} onChange={onChange} id={id} />;
      break;
    default:
      input = (
        <input
          ref={ref}
          id={id}
          type={field.kind === 'number' || field.kind === 'integer' ? 'number' : 'text'}
          step={field.kind === 'integer' ? 1 : 'any'}
          min={field.min}
          max={field.max}
          value={draft}
          placeholder={placeholder ?? (field.nullable ? '(not set)' : '')}
          onChange={(e) => commit(e.target.value)}
        />
      );
  }

  return (
    <div className={`ff-field kind-${field.kind}${errors.length ? ' has-error' : ''}`} data-param={field.name}>
      <label htmlFor={id}>
        {field.label}
        {field.required && <span className="ff-required">*</span>}
        {!isDefault && field.kind !== 'asset' && (
          <button type="button" className="ff-reset" title="Back to the default" onClick={() => onChange(undefined)}>
            reset
          </button>
        )}
      </label>
      {input}
      {hint && <div className="ff-hint">{hint}</div>}
      {field.description && <div className="ff-hint">{field.description}</div>}
      {errors.map((m, i) => (
        <div className="ff-field-error" key={i} data-testid="param-error">
          {m}
        </div>
      ))}
    </div>
  );
}
