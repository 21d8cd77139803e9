import { describe, expect, it } from 'vitest';
import { nodeForDrop, readDrag } from '../src/library/drag';

describe('dropping library things on the canvas', () => {
  it('makes the input node of an asset of its kind, with the asset as its default', () => {
    expect(nodeForDrop({ what: 'asset', id: 'a_1', kind: 'video', name: 'clip.mp4' })).toEqual({
      type: 'input.video',
      params: { default: 'a_1' },
    });
    expect(nodeForDrop({ what: 'asset', id: 'a_2', kind: 'other', name: 'w.safetensors' })).toBeNull();
  });

  it('makes input.collection and input.hooks nodes', () => {
    expect(nodeForDrop({ what: 'collection', id: 'c_1' })).toEqual({ type: 'input.collection', params: { collection: 'c_1' } });
    expect(nodeForDrop({ what: 'hooks', category: 'openers' })).toEqual({ type: 'input.hooks', params: { category: 'openers' } });
  });

  it('ignores what is not a library drag', () => {
    expect(readDrag('')).toBeNull();
    expect(readDrag('not json')).toBeNull();
    expect(readDrag('{"x": 1}')).toBeNull();
    expect(nodeForDrop(readDrag('{"what": "collection", "id": "c_9"}'))?.type).toBe('input.collection');
  });
});

describe('params that name library things', () => {
  it('become library pickers, by their schema format', async () => {
    const { fieldsFor } = await import('../src/graph/schemaForm');
    const spec = {
      type: 'image.generate',
      title: 'Generate image',
      category: 'image',
      description: '',
      params: {
        type: 'object',
        properties: {
          lora: { anyOf: [{ type: 'string', format: 'model_id' }, { type: 'null' }], default: null },
          collection: { type: 'string', format: 'collection_id', default: '' },
          category: { type: 'string', format: 'hook_category', default: '' },
          model: { type: 'string', default: '' },
        },
        required: [],
      },
      inputs: [{ name: 'prompt', type: 'text', required: true, multiple: false }],
      outputs: [{ name: 'image', type: 'image' }],
    };
    const fields = Object.fromEntries(fieldsFor(spec as never).map((f) => [f.name, f]));
    expect([fields.lora.kind, fields.lora.libraryRef, fields.lora.nullable]).toEqual(['library', 'model_id', true]);
    expect(fields.collection.libraryRef).toBe('collection_id');
    expect(fields.category.libraryRef).toBe('hook_category');
    expect(fields.model.kind).toBe('text');
  });
});
