import { describe, expect, it } from 'vitest';
import { fieldForInput, fieldsFor, formatFieldValue, parseFieldInput, type FieldSpec } from '../src/graph/schemaForm';
import { CATALOG } from './fixtures';

const byName = (type: string) => Object.fromEntries(fieldsFor(CATALOG[type]).map((f) => [f.name, f]));

describe('schema -> form fields', () => {
  const gen = byName('image.generate');

  it('maps enum to a select with its choices', () => {
    expect(gen.provider.kind).toBe('select');
    expect(gen.provider.options).toEqual(['local', 'fal', 'gemini']);
    expect(gen.provider.default).toBe('local');
    expect(gen.provider.required).toBe(true);
  });

  it('maps integer and number with their range and default', () => {
    expect(gen.width).toMatchObject({ kind: 'integer', min: 64, max: 2048, default: 512, nullable: false });
    expect(gen.strength).toMatchObject({ kind: 'number', min: 0, max: 1, default: 0.5 });
  });

  it('unwraps nullable anyOf', () => {
    expect(gen.seed).toMatchObject({ kind: 'integer', nullable: true, min: 0, default: null });
  });

  it('maps boolean, object and $ref enums', () => {
    expect(gen.hdr.kind).toBe('boolean');
    expect(gen.extra.kind).toBe('json');
    expect(gen.quality).toMatchObject({ kind: 'select', options: ['draft', 'final'] });
  });

  it('makes prompt and format textarea strings multi-line', () => {
    expect(gen.prompt_style.kind).toBe('textarea');
    const withPrompt = fieldsFor({ ...CATALOG['text.join'], params: { properties: { prompt: { type: 'string' } } } });
    expect(withPrompt[0].kind).toBe('textarea');
    expect(byName('text.join').separator.kind).toBe('text');
  });

  it('gives media input nodes an asset picker for default', () => {
    const img = byName('input.image');
    expect(img.default).toMatchObject({ kind: 'asset', assetKind: 'image' });
    expect(img.name.kind).toBe('text');
    expect(byName('input.text').default.kind).toBe('text');
  });

  it('handles a node with no params', () => {
    expect(fieldsFor(CATALOG['flow.wait'])).toEqual([]);
  });

  it('maps template inputs by type', () => {
    expect(fieldForInput({ name: 'subject', type: 'text', default: 'x' })).toMatchObject({ kind: 'textarea', default: 'x' });
    expect(fieldForInput({ name: 'n', type: 'number' }).kind).toBe('number');
    expect(fieldForInput({ name: 'photo', type: 'image' })).toMatchObject({ kind: 'asset', assetKind: 'image' });
  });
});

describe('field values', () => {
  const int: FieldSpec = { name: 'w', label: 'W', kind: 'integer', nullable: false, required: false, min: 1, max: 10, default: 5 };

  it('parses numbers within range', () => {
    expect(parseFieldInput(int, '7')).toEqual({ ok: true, value: 7 });
    expect(parseFieldInput(int, '11').ok).toBe(false);
    expect(parseFieldInput(int, '0').ok).toBe(false);
    expect(parseFieldInput(int, '2.5').ok).toBe(false);
    expect(parseFieldInput(int, 'abc').ok).toBe(false);
  });

  it('unsets a cleared number so it takes its default', () => {
    expect(parseFieldInput(int, '')).toEqual({ ok: true, value: undefined });
  });

  it('parses select choices to their typed values', () => {
    const sel: FieldSpec = { name: 's', label: 'S', kind: 'select', nullable: false, required: false, options: [1, 2] };
    expect(parseFieldInput(sel, '2')).toEqual({ ok: true, value: 2 });
    expect(parseFieldInput(sel, '3').ok).toBe(false);
  });

  it('parses JSON', () => {
    const js: FieldSpec = { name: 'j', label: 'J', kind: 'json', nullable: false, required: false };
    expect(parseFieldInput(js, '{"a":1}')).toEqual({ ok: true, value: { a: 1 } });
    expect(parseFieldInput(js, '{').ok).toBe(false);
  });

  it('keeps empty text, but unsets empty nullable text', () => {
    const txt: FieldSpec = { name: 't', label: 'T', kind: 'text', nullable: false, required: false, default: '' };
    expect(parseFieldInput(txt, '')).toEqual({ ok: true, value: '' });
    const nul: FieldSpec = { ...txt, nullable: true, default: null };
    expect(parseFieldInput(nul, '')).toEqual({ ok: true, value: undefined });
  });

  it('honours exclusive bounds', () => {
    const f = fieldsFor({ ...CATALOG['flow.wait'], params: { properties: { s: { type: 'number', exclusiveMinimum: 0, maximum: 10 } } } })[0];
    expect(f).toMatchObject({ min: 0, minExclusive: true, max: 10 });
    expect(parseFieldInput(f, '0').ok).toBe(false);
    expect(parseFieldInput(f, '0.1')).toEqual({ ok: true, value: 0.1 });
  });

  it('checks string length and pattern', () => {
    const f = fieldsFor({
      ...CATALOG['flow.wait'],
      params: { properties: { app: { type: 'string', minLength: 3, maxLength: 20, pattern: '^[\\w.-]+/[\\w./-]+$' } } },
    })[0];
    expect(parseFieldInput(f, 'ab').ok).toBe(false);
    expect(parseFieldInput(f, 'no-slash').ok).toBe(false);
    expect(parseFieldInput(f, 'fal-ai/flux')).toEqual({ ok: true, value: 'fal-ai/flux' });
  });

  it('maps a nullable enum to a select', () => {
    const f = fieldsFor({ ...CATALOG['flow.wait'], params: { properties: { r: { anyOf: [{ enum: ['1:1', '16:9'] }, { type: 'null' }], default: null } } } })[0];
    expect(f).toMatchObject({ kind: 'select', nullable: true, options: ['1:1', '16:9'] });
  });

  it('shows the default when unset', () => {
    expect(formatFieldValue(int, undefined)).toBe('5');
    expect(formatFieldValue(int, 8)).toBe('8');
    expect(formatFieldValue({ ...int, default: null }, undefined)).toBe('');
  });
});
