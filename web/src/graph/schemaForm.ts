// A node's params JSON Schema (from the catalog) -> the fields of its params form.

import type { JsonSchema, NodeSpec } from '../api/types';
import { MEDIA_TYPES } from '../api/types';

export type FieldKind = 'text' | 'textarea' | 'number' | 'integer' | 'boolean' | 'select' | 'asset' | 'library' | 'json';

/** What a `library` field names: a collection, a hooks category or a trained model (its schema `format`). */
export type LibraryRef = 'collection_id' | 'hook_category' | 'model_id';
const LIBRARY_REFS: string[] = ['collection_id', 'hook_category', 'model_id'];

export interface FieldSpec {
  name: string;
  label: string;
  kind: FieldKind;
  /** The field may be null (`anyOf [..., {type: null}]`); unset means the default. */
  nullable: boolean;
  required: boolean;
  default?: unknown;
  min?: number;
  max?: number;
  /** The bound itself is excluded (`exclusiveMinimum` / `exclusiveMaximum`). */
  minExclusive?: boolean;
  maxExclusive?: boolean;
  /** String constraints. */
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  /** Choices of a `select` field. */
  options?: unknown[];
  description?: string;
  /** Media type of an `asset` field: image, video or audio. */
  assetKind?: string;
  /** What a `library` field picks. */
  libraryRef?: LibraryRef;
}

/** Resolves a local `$ref` (`#/$defs/Name`) against the root schema's `$defs`. */
function resolve(schema: JsonSchema, root: JsonSchema): JsonSchema {
  let s = schema;
  for (let i = 0; i < 8 && s.$ref; i++) {
    const name = s.$ref.split('/').pop() ?? '';
    const target = root.$defs?.[name];
    if (!target) break;
    const { $ref: _ref, ...rest } = s;
    void _ref;
    s = { ...target, ...rest };
  }
  return s;
}

/** Splits `anyOf`/`oneOf` with a `{type: "null"}` member, or `type: [.., "null"]`. */
function unwrapNullable(schema: JsonSchema, root: JsonSchema): { schema: JsonSchema; nullable: boolean } {
  const s = resolve(schema, root);
  const union = s.anyOf ?? s.oneOf;
  if (union) {
    const members = union.map((m) => resolve(m, root));
    const nonNull = members.filter((m) => m.type !== 'null');
    const nullable = nonNull.length < members.length;
    if (nonNull.length === 1) {
      const { anyOf: _a, oneOf: _o, ...outer } = s;
      void _a;
      void _o;
      return { schema: { ...nonNull[0], ...outer }, nullable };
    }
    return { schema: s, nullable };
  }
  if (Array.isArray(s.type)) {
    const types = s.type.filter((t) => t !== 'null');
    return { schema: { ...s, type: types.length === 1 ? types[0] : types }, nullable: types.length < s.type.length };
  }
  return { schema: s, nullable: false };
}

function kindOf(name: string, s: JsonSchema): FieldKind {
  if (Array.isArray(s.enum) && s.enum.length > 0) return 'select';
  switch (s.type) {
    case 'boolean':
      return 'boolean';
    case 'integer':
      return 'integer';
    case 'number':
      return 'number';
    case 'string':
      return name === 'prompt' || s.format === 'textarea' ? 'textarea' : 'text';
    default:
      return 'json';
  }
}

/** The media type an input node's `default` param names an asset of, if any. */
export function assetKindOf(spec: NodeSpec, paramName: string, s: JsonSchema): string | undefined {
  if (s.format === 'asset' || s.format === 'asset_id') {
    return (s['x-asset-kind'] as string | undefined) ?? spec.outputs.find((o) => MEDIA_TYPES.includes(o.type))?.type;
  }
  // An input node (no inputs) whose one output is media: its `default` is an asset id.
  if (paramName === 'default' && spec.type.startsWith('input.') && spec.inputs.length === 0 && spec.outputs.length === 1) {
    const t = spec.outputs[0].type;
    if (MEDIA_TYPES.includes(t)) return t;
  }
  return undefined;
}

const humanize = (name: string) => name.replace(/[_-]+/g, ' ').replace(/^./, (c) => c.toUpperCase());

export function fieldsFor(spec: NodeSpec): FieldSpec[] {
  const root = spec.params ?? {};
  const props = resolve(root, root).properties ?? {};
  const required = new Set(resolve(root, root).required ?? []);
  return Object.entries(props).map(([name, raw]) => {
    const { schema: s, nullable } = unwrapNullable(raw, root);
    const field: FieldSpec = {
      name,
      label: s.title && s.title !== name ? s.title : humanize(name),
      kind: kindOf(name, s),
      nullable,
      required: required.has(name),
    };
    const dflt = raw.default !== undefined ? raw.default : s.default;
    if (dflt !== undefined) field.default = dflt;
    if (s.minimum !== undefined) field.min = s.minimum;
    else if (s.exclusiveMinimum !== undefined) (field.min = s.exclusiveMinimum), (field.minExclusive = true);
    if (s.maximum !== undefined) field.max = s.maximum;
    else if (s.exclusiveMaximum !== undefined) (field.max = s.exclusiveMaximum), (field.maxExclusive = true);
    if (s.minLength !== undefined) field.minLength = s.minLength;
    if (s.maxLength !== undefined) field.maxLength = s.maxLength;
    if (typeof s.pattern === 'string') field.pattern = s.pattern;
    if (field.kind === 'select') field.options = s.enum;
    const description = raw.description ?? s.description;
    if (description) field.description = description;
    if (field.kind === 'text') {
      const assetKind = assetKindOf(spec, name, s);
      if (assetKind) {
        field.kind = 'asset';
        field.assetKind = assetKind;
      } else if (typeof s.format === 'string' && LIBRARY_REFS.includes(s.format)) {
        field.kind = 'library';
        field.libraryRef = s.format as LibraryRef;
      }
    }
    return field;
  });
}

export type ParseResult = { ok: true; value: unknown } | { ok: false; message: string };

/**
 * The param value for what the user typed into a field. An empty entry unsets the
 * param (`value: undefined`), so it takes its default.
 */
export function parseFieldInput(field: FieldSpec, raw: string | boolean): ParseResult {
  if (typeof raw === 'boolean') return { ok: true, value: raw };
  if (raw === '' && field.kind !== 'textarea' && field.kind !== 'text') return { ok: true, value: undefined };
  switch (field.kind) {
    case 'number':
    case 'integer': {
      const n = Number(raw);
      if (!Number.isFinite(n)) return { ok: false, message: 'not a number' };
      if (field.kind === 'integer' && !Number.isInteger(n)) return { ok: false, message: 'must be a whole number' };
      if (field.min !== undefined && (field.minExclusive ? n <= field.min : n < field.min)) {
        return { ok: false, message: field.minExclusive ? `more than ${field.min}` : `at least ${field.min}` };
      }
      if (field.max !== undefined && (field.maxExclusive ? n >= field.max : n > field.max)) {
        return { ok: false, message: field.maxExclusive ? `less than ${field.max}` : `at most ${field.max}` };
      }
      return { ok: true, value: n };
    }
    case 'select': {
      const match = field.options?.find((o) => String(o) === raw);
      return match === undefined ? { ok: false, message: 'not a choice' } : { ok: true, value: match };
    }
    case 'json':
      try {
        return { ok: true, value: JSON.parse(raw) };
      } catch {
        return { ok: false, message: 'not valid JSON' };
      }
    case 'asset':
      return { ok: true, value: raw.trim() === '' ? undefined : raw.trim() };
    default: {
      // Text: an empty entry of a nullable field with a null default unsets it.
      if (raw === '' && field.nullable && (field.default === null || field.default === undefined)) {
        return { ok: true, value: undefined };
      }
      const problem = stringProblem(field, raw);
      return problem ? { ok: false, message: problem } : { ok: true, value: raw };
    }
  }
}

function stringProblem(field: FieldSpec, raw: string): string | null {
  if (field.minLength !== undefined && raw.length < field.minLength) return `at least ${field.minLength} characters`;
  if (field.maxLength !== undefined && raw.length > field.maxLength) return `at most ${field.maxLength} characters`;
  if (field.pattern) {
    try {
      if (!new RegExp(field.pattern, 'u').test(raw)) return `must match ${field.pattern}`;
    } catch {
      // a pattern JavaScript cannot read is left to the server
    }
  }
  return null;
}

/** The text a field shows for a param value (or its default when unset). */
export function formatFieldValue(field: FieldSpec, value: unknown): string {
  const v = value === undefined ? field.default : value;
  if (v === undefined || v === null) return '';
  if (field.kind === 'json') return JSON.stringify(v, null, 2);
  return String(v);
}

/** The form field of a template's declared input (`{name, type, default}`). */
export function fieldForInput(input: { name: string; type: string; default?: unknown }): FieldSpec {
  const kinds: Record<string, FieldKind> = { text: 'textarea', number: 'number', boolean: 'boolean', json: 'json' };
  const media = MEDIA_TYPES.includes(input.type);
  const field: FieldSpec = {
    name: input.name,
    label: input.name,
    kind: media ? 'asset' : (kinds[input.type] ?? 'json'),
    nullable: false,
    required: false,
  };
  if (media) field.assetKind = input.type;
  if (input.default !== undefined && input.default !== null) field.default = input.default;
  return field;
}
